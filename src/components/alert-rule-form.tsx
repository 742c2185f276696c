"use client";
// The admin's editor of one alert rule: kind (with what its value and window mean), selector glob,
// window, fire and resolve thresholds and durations, severity, environment scope, channels.
// The server validates again and says what is wrong; a new rule starts from the kind's defaults.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { type RouterInputs, type RouterOutputs, useTRPC } from "../trpc/react";
import { useAuditedSubmit } from "./use-audited-submit";

type Settings = RouterOutputs["alerts"]["settings"];
type Rule = Settings["rules"][number];
type RuleInput = RouterInputs["alerts"]["saveRule"]["rule"];
type Kind = Rule["kind"];

interface Draft {
  name: string;
  kind: Kind;
  selector: string;
  windowSeconds: string;
  fireThreshold: string;
  resolveThreshold: string;
  forSeconds: string;
  resolveForSeconds: string;
  minCount: string;
  severity: Rule["severity"];
  environment: string;
  channels: string[];
  enabled: boolean;
  description: string;
}

function draftOf(settings: Settings, rule: Rule | null, kind: Kind = rule?.kind ?? "failure_rate"): Draft {
  const source = rule ?? { ...settings.kinds[kind].defaults, minCount: 1, severity: "warning" as const, environment: "*", channels: settings.channels.map((channel) => channel.name), enabled: true, description: "" };
  return {
    name: rule?.name ?? "",
    kind,
    selector: source.selector,
    windowSeconds: String(source.windowSeconds),
    fireThreshold: String(source.fireThreshold),
    resolveThreshold: String(source.resolveThreshold),
    forSeconds: String(source.forSeconds),
    resolveForSeconds: String(source.resolveForSeconds),
    minCount: String(source.minCount),
    severity: source.severity,
    environment: source.environment,
    channels: source.channels,
    enabled: source.enabled,
    description: source.description ?? "",
  };
}

function inputOf(draft: Draft): RuleInput {
  return {
    name: draft.name,
    kind: draft.kind,
    selector: draft.selector,
    windowSeconds: Number(draft.windowSeconds),
    fireThreshold: Number(draft.fireThreshold),
    resolveThreshold: Number(draft.resolveThreshold),
    forSeconds: Number(draft.forSeconds),
    resolveForSeconds: Number(draft.resolveForSeconds),
    minCount: Number(draft.minCount),
    severity: draft.severity,
    environment: draft.environment,
    channels: draft.channels,
    enabled: draft.enabled,
    ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
  };
}

export function AlertRuleForm({ settings, rule, onClose }: { settings: Settings; rule: Rule | null; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(settings, rule));
  const save = useAuditedSubmit(useMutation(trpc.alerts.saveRule.mutationOptions()).mutateAsync, () => {
    void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
    onClose();
  });
  const info = settings.kinds[draft.kind];
  const set = <K extends keyof Draft>(key: K) => (value: Draft[K]) => setDraft({ ...draft, [key]: value });
  const text = (key: keyof Draft, label: string, hint?: string) => (
    <label>
      {label}
      <input value={draft[key] as string} onChange={(event) => set(key)(event.target.value as never)} />
      {hint ? <span className="muted small">{hint}</span> : null}
    </label>
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.submit({ ...(rule ? { id: rule.id } : {}), rule: inputOf(draft) });
  };
  return (
    <form className="panel rule-form" onSubmit={submit} aria-label="alert rule">
      <h2>{rule ? `Edit ${rule.name}` : "New alert rule"}</h2>
      <div className="form-grid">
        {text("name", "name")}
        <label>
          kind
          <select value={draft.kind} onChange={(event) => setDraft(rule ? { ...draft, kind: event.target.value as Kind } : { ...draftOf(settings, null, event.target.value as Kind), name: draft.name })}>
            {settings.kindNames.map((kind) => (
              <option key={kind} value={kind}>
                {settings.kinds[kind].title}
              </option>
            ))}
          </select>
        </label>
        {info.selects ? text("selector", `${info.selects} (glob: * ? and | between alternatives)`) : null}
        {text("windowSeconds", "window (seconds)", info.window)}
        {text("fireThreshold", "fire at (≥)", info.value)}
        {text("resolveThreshold", "resolve under (<)")}
        {text("forSeconds", "fire after holding (seconds)")}
        {text("resolveForSeconds", "resolve after holding (seconds)")}
        {draft.kind === "failure_rate" || draft.kind === "runtime_p95" ? text("minCount", "at least this many finished") : null}
        <label>
          severity
          <select value={draft.severity} onChange={(event) => set("severity")(event.target.value as Draft["severity"])}>
            {settings.severities.map((severity) => (
              <option key={severity}>{severity}</option>
            ))}
          </select>
        </label>
        {text("environment", "environment (* = all)")}
        {text("description", "description")}
      </div>
      <fieldset className="channels">
        <legend>notify</legend>
        {settings.channels.length === 0 ? <span className="muted small">No channel yet: add one below, then edit the rule.</span> : null}
        {settings.channels.map((channel) => (
          <label key={channel.name} className="inline">
            <input type="checkbox" checked={draft.channels.includes(channel.name)} onChange={(event) => set("channels")(event.target.checked ? [...draft.channels, channel.name] : draft.channels.filter((name) => name !== channel.name))} />
            {channel.name} <span className="muted small">({channel.type})</span>
          </label>
        ))}
        <label className="inline">
          <input type="checkbox" checked={draft.enabled} onChange={(event) => set("enabled")(event.target.checked)} />
          enabled
        </label>
      </fieldset>
      {save.state.status === "failed" ? <p className="error">{save.state.message}</p> : null}
      <div className="toolbar end">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={save.state.status === "sending"}>
          {save.state.status === "sending" ? "Saving…" : "Save rule"}
        </button>
      </div>
    </form>
  );
}
