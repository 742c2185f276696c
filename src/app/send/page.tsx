"use client";
// /send: send a task by name with JSON args and kwargs (checked here as they are typed, and again
// by the server) and Celery's routing and timing options; previewed, confirmed, audited.

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ConfirmAction } from "../../components/confirm-action";
import { WarningList } from "../../components/warning-list";
import { type RouterInputs, useTRPC } from "../../trpc/react";
import { parseJsonField } from "../_lib/json-field";
import { presetRange } from "../_lib/time-presets";

type SendOptions = NonNullable<RouterInputs["actions"]["send"]["options"]>;

interface Draft {
  name: string;
  args: string;
  kwargs: string;
  queue: string;
  countdown: string;
  eta: string;
  expires: string;
  priority: string;
}

/** The options the draft sets; blank fields are left to Celery's defaults. */
function optionsOf(draft: Draft): SendOptions {
  const options: SendOptions = {};
  if (draft.queue.trim()) options.queue = draft.queue.trim();
  if (draft.countdown.trim()) options.countdown = Number(draft.countdown);
  if (draft.eta.trim()) options.eta = draft.eta.trim();
  if (draft.expires.trim()) options.expires = /^\d+(\.\d+)?$/.test(draft.expires.trim()) ? Number(draft.expires) : draft.expires.trim();
  if (draft.priority.trim()) options.priority = Number(draft.priority);
  return options;
}

export default function SendPage() {
  const trpc = useTRPC();
  const send = useMutation(trpc.actions.send.mutationOptions());
  // Names seen in the last week, to pick from.
  const [week] = useState(() => presetRange("7d", Date.now()));
  const known = useQuery(trpc.history.overview.queryOptions(week)).data?.taskStats.map((stats) => stats.taskName) ?? [];
  const [draft, setDraft] = useState<Draft>({ name: "", args: "[]", kwargs: "{}", queue: "", countdown: "", eta: "", expires: "", priority: "" });
  const set = (changes: Partial<Draft>) => setDraft((current) => ({ ...current, ...changes }));
  const args = parseJsonField(draft.args, "args");
  const kwargs = parseJsonField(draft.kwargs, "kwargs");
  const problem = !draft.name.trim() ? "Enter the task's name." : !args.ok ? args.error : !kwargs.ok ? kwargs.error : undefined;
  const input = { name: draft.name.trim(), args: args.ok ? args.value : [], kwargs: kwargs.ok ? kwargs.value : {}, options: optionsOf(draft) };
  return (
    <>
      <h1>Send a task</h1>
      <form className="panel send-form" onSubmit={(event) => event.preventDefault()}>
        <label>
          Task name
          <input list="known-tasks" name="name" style={{ maxWidth: 420 }} value={draft.name} placeholder="seedflow.add" onChange={(event) => set({ name: event.target.value })} />
          <datalist id="known-tasks">
            {known.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </label>
        <div className="columns">
          <label>
            args (JSON array)
            <textarea rows={5} className={`mono ${args.ok ? "" : "invalid"}`} value={draft.args} onChange={(event) => set({ args: event.target.value })} />
            {args.ok ? null : <span className="error small">{args.error}</span>}
          </label>
          <label>
            kwargs (JSON object)
            <textarea rows={5} className={`mono ${kwargs.ok ? "" : "invalid"}`} value={draft.kwargs} onChange={(event) => set({ kwargs: event.target.value })} />
            {kwargs.ok ? null : <span className="error small">{kwargs.error}</span>}
          </label>
        </div>
        <div className="toolbar">
          <label>
            queue
            <input value={draft.queue} placeholder="default" style={{ width: 120 }} onChange={(event) => set({ queue: event.target.value })} />
          </label>
          <label>
            countdown (s)
            <input type="number" min={0} value={draft.countdown} style={{ width: 100 }} onChange={(event) => set({ countdown: event.target.value })} />
          </label>
          <label>
            eta (ISO-8601)
            <input value={draft.eta} placeholder="2026-12-01T18:00:00Z" style={{ width: 200 }} onChange={(event) => set({ eta: event.target.value })} />
          </label>
          <label>
            expires (s or ISO-8601)
            <input value={draft.expires} style={{ width: 160 }} onChange={(event) => set({ expires: event.target.value })} />
          </label>
          <label>
            priority (0–255)
            <input type="number" min={0} max={255} value={draft.priority} style={{ width: 80 }} onChange={(event) => set({ priority: event.target.value })} />
          </label>
        </div>
        <div className="toolbar">
          <ConfirmAction
            label="Send…"
            title={`Send ${input.name || "a task"}`}
            unavailable={problem}
            preview={trpc.actions.previewSend.queryOptions(input)}
            renderPreview={(preview) => (
              <>
                <dl className="kv">
                  <dt>task</dt>
                  <dd>{preview.name}</dd>
                  <dt>queue</dt>
                  <dd>{preview.queue}</dd>
                  <dt>args</dt>
                  <dd className="mono small">{JSON.stringify(preview.args)}</dd>
                  <dt>kwargs</dt>
                  <dd className="mono small">{JSON.stringify(preview.kwargs)}</dd>
                  <dt>options</dt>
                  <dd className="mono small">{JSON.stringify(preview.options)}</dd>
                </dl>
                <WarningList warnings={preview.warnings} />
              </>
            )}
            submit={(_preview, idempotencyKey, reason) => send.mutateAsync({ ...input, idempotencyKey, reason })}
            renderResult={(result) => (
              <p>
                Sent as{" "}
                <Link className="mono" href={`/tasks/${encodeURIComponent(result.taskId)}`}>
                  {result.taskId}
                </Link>
                .
              </p>
            )}
          />
          {problem ? <span className="muted small">{problem}</span> : null}
        </div>
      </form>
    </>
  );
}
