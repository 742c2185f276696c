"use client";
// The admin's editor of a notification channel: a signed JSON webhook, a Slack incoming webhook
// or email recipients. Credentials go to the server and never come back: editing a webhook
// without typing its secret keeps the stored one.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { type RouterInputs, useTRPC } from "../trpc/react";
import { useAuditedSubmit } from "./use-audited-submit";

type ChannelInput = RouterInputs["alerts"]["saveChannel"]["channel"];

export function AlertChannelForm({ onClose }: { onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState({ name: "", type: "webhook" as ChannelInput["type"], url: "", secret: "", recipients: "" });
  const save = useAuditedSubmit(useMutation(trpc.alerts.saveChannel.mutationOptions()).mutateAsync, () => {
    void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
    onClose();
  });
  const channel = (): ChannelInput => {
    switch (draft.type) {
      case "webhook":
        return { name: draft.name, type: "webhook", url: draft.url, ...(draft.secret ? { secret: draft.secret } : {}) };
      case "slack":
        return { name: draft.name, type: "slack", url: draft.url };
      case "email":
        return { name: draft.name, type: "email", recipients: draft.recipients.split(",").map((address) => address.trim()).filter(Boolean) };
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.submit({ channel: channel() });
  };
  return (
    <form className="panel rule-form" onSubmit={submit} aria-label="notification channel">
      <h2>Notification channel</h2>
      <div className="form-grid">
        <label>
          name
          <input value={draft.name} onChange={(event) => setDraft({ ...draft, name: event.target.value })} />
        </label>
        <label>
          type
          <select value={draft.type} onChange={(event) => setDraft({ ...draft, type: event.target.value as ChannelInput["type"] })}>
            <option value="webhook">JSON webhook (signed)</option>
            <option value="slack">Slack incoming webhook</option>
            <option value="email">email (SMTP)</option>
          </select>
        </label>
        {draft.type === "email" ? (
          <label>
            recipients (comma-separated)
            <input value={draft.recipients} onChange={(event) => setDraft({ ...draft, recipients: event.target.value })} />
          </label>
        ) : (
          <label>
            URL
            <input value={draft.url} onChange={(event) => setDraft({ ...draft, url: event.target.value })} />
          </label>
        )}
        {draft.type === "webhook" ? (
          <label>
            signing secret (16+ characters; empty keeps the stored one)
            <input type="password" autoComplete="off" value={draft.secret} onChange={(event) => setDraft({ ...draft, secret: event.target.value })} />
          </label>
        ) : null}
      </div>
      {save.state.status === "failed" ? <p className="error">{save.state.message}</p> : null}
      <div className="toolbar end">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={save.state.status === "sending"}>
          Save channel
        </button>
      </div>
    </form>
  );
}
