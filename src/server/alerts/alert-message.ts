// The one-line text of an alert for people: what is wrong with which subject, the value against
// the threshold, in the kind's unit ("failure rate of tasks.charge is 60 % over 5 min (fires at
// 20 %)").

import type { AlertKind, AlertRule } from "./alert-rule";

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 3600) return `${Math.round(seconds / 6) / 10} min`;
  if (seconds < 86_400) return `${Math.round(seconds / 360) / 10} h`;
  return `${Math.round(seconds / 8640) / 10} d`;
}

/** A value in its kind's unit. */
export function formatAlertValue(kind: AlertKind, value: number): string {
  switch (kind) {
    case "failure_rate":
      return `${Math.round(value * 1000) / 10} %`;
    case "runtime_p95":
    case "queue_age":
    case "ingest_lag":
      return duration(value);
    case "queue_no_consumer":
    case "worker_offline":
      return value >= 1 ? "yes" : "no";
    default:
      return String(Math.round(value * 100) / 100);
  }
}

const WHAT: Record<AlertKind, (subject: string, window: string) => string> = {
  failure_rate: (subject, window) => `failure rate of ${subject} over ${window}`,
  task_failures: (subject, window) => `failures of ${subject} in ${window}`,
  runtime_p95: (subject, window) => `p95 runtime of ${subject} over ${window}`,
  queue_depth: (subject) => `messages waiting in queue ${subject}`,
  queue_age: (subject) => `age of the oldest message waiting in queue ${subject}`,
  queue_no_consumer: (subject) => `no worker consuming queue ${subject}`,
  worker_offline: (subject) => `worker ${subject} offline`,
  ingest_lag: () => "ingestion lag (age of the newest worker heartbeat stored)",
  ingest_errors: (_subject, window) => `ingestion errors in ${window}`,
};

/** "<what> is <value> (fires at <threshold>)", or the resolved form. */
export function alertMessage(rule: Pick<AlertRule, "kind" | "windowSeconds" | "fireThreshold" | "resolveThreshold">, subject: string, value: number, state: "firing" | "resolved"): string {
  const what = WHAT[rule.kind](subject, duration(rule.windowSeconds));
  const boolean = rule.kind === "queue_no_consumer" || rule.kind === "worker_offline";
  if (boolean) return state === "firing" ? what : `${what}: no longer`;
  const threshold = state === "firing" ? `fires at ${formatAlertValue(rule.kind, rule.fireThreshold)}` : `resolves under ${formatAlertValue(rule.kind, rule.resolveThreshold)}`;
  return `${what} is ${formatAlertValue(rule.kind, value)} (${threshold})`;
}
