// The alert rules as a Prometheus rules file (`groups:` format, checked with `promtool check
// rules`), for teams that alert from Prometheus: each rule becomes an alerting rule over the
// metrics /metrics exposes (src/server/http/metrics.ts and alert-metrics.ts), with the same
// selector, thresholds and durations. Hysteresis is kept: an alert already firing (ALERTS) stays
// firing while the value is at or over the resolve threshold, and keep_firing_for holds it
// resolveForSeconds more.

import { stringify } from "yaml";
import type { AlertRule } from "./alert-rule";
import { globSource } from "./glob-pattern";

/** Seconds as a Prometheus duration: 90 → 90s, 600 → 10m, 7200 → 2h. */
export function promDuration(seconds: number): string {
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** A PromQL double-quoted string literal. */
const quote = (text: string) => JSON.stringify(text);

interface Expression {
  /** The measured value per subject. */
  value: string;
  /** Extra condition (e.g. enough tasks finished). */
  guard?: string;
  /** The label naming the subject, if any. */
  label: string | null;
  /** The dashboard path of a subject, with Prometheus templating. */
  link: string;
}

function expression(rule: AlertRule): Expression {
  const match = (label: string) => `${label}=~${quote(globSource(rule.selector))}`;
  const window = quote(promDuration(rule.windowSeconds));
  const subject = (label: string) => `{{ $labels.${label} | urlquery }}`;
  switch (rule.kind) {
    case "failure_rate": {
      const finished = `sum by (task_name) (celeriac_task_outcomes{${match("task_name")},window=${window},state!="RETRY"})`;
      return {
        value: `sum by (task_name) (celeriac_task_outcomes{${match("task_name")},window=${window},state="FAILURE"}) / ${finished}`,
        guard: `${finished} >= ${rule.minCount}`,
        label: "task_name",
        link: `/tasks?name=${subject("task_name")}&state=FAILURE`,
      };
    }
    case "task_failures":
      return { value: `sum by (task_name) (celeriac_task_outcomes{${match("task_name")},window=${window},state="FAILURE"})`, label: "task_name", link: `/tasks?name=${subject("task_name")}&state=FAILURE` };
    case "runtime_p95":
      return {
        value: `max by (task_name) (celeriac_task_runtime_p95_seconds{${match("task_name")},window=${window}})`,
        guard: `sum by (task_name) (celeriac_task_outcomes{${match("task_name")},window=${window},state!="RETRY"}) >= ${rule.minCount}`,
        label: "task_name",
        link: `/tasks?name=${subject("task_name")}`,
      };
    case "queue_depth":
      return { value: `max by (queue) (celeriac_queue_depth{${match("queue")}})`, label: "queue", link: `/tasks?queue=${subject("queue")}&state=PENDING` };
    case "queue_age":
      return { value: `max by (queue) (celeriac_queue_oldest_waiting_seconds{${match("queue")}})`, label: "queue", link: `/tasks?queue=${subject("queue")}&state=PENDING` };
    case "queue_no_consumer":
      return { value: `max by (queue) (celeriac_queue_consumers{${match("queue")}} == bool 0)`, label: "queue", link: `/queues?queue=${subject("queue")}` };
    case "worker_offline":
      return { value: `max by (hostname) (celeriac_worker_up{${match("hostname")}} == bool 0)`, label: "hostname", link: `/workers/${subject("hostname")}` };
    case "ingest_lag":
      return { value: "max(celeriac_ingest_lag_seconds)", label: null, link: "/" };
    case "ingest_errors":
      return { value: `sum(increase(celeriac_ingest_counter{${match("name")}}[${promDuration(rule.windowSeconds)}]))`, label: null, link: "/quarantine" };
  }
}

/** The PromQL of a rule, hysteresis included. */
export function ruleExpression(rule: AlertRule): string {
  const { value, guard, label } = expression(rule);
  const guarded = (condition: string) => (guard ? `(${condition}) and ${guard}` : condition);
  const fire = guarded(`${value} >= ${rule.fireThreshold}`);
  if (rule.resolveThreshold >= rule.fireThreshold) return fire;
  const firing = `ALERTS{alertname=${quote(rule.name)},alertstate="firing"}`;
  const hold = guarded(`${value} >= ${rule.resolveThreshold}`);
  return `(${fire}) or ((${hold}) and on (${label ?? ""}) ${firing})`;
}

/** The rules file for `rules` (enabled ones only), linking annotations under `publicUrl`. */
export function prometheusRules(rules: readonly AlertRule[], publicUrl: string): string {
  const base = publicUrl.replace(/\/+$/, "");
  const alerting = rules
    .filter((rule) => rule.enabled)
    .map((rule) => {
      const { label, link } = expression(rule);
      return {
        alert: rule.name,
        expr: ruleExpression(rule),
        ...(rule.forSeconds > 0 ? { for: promDuration(rule.forSeconds) } : {}),
        ...(rule.resolveForSeconds > 0 ? { keep_firing_for: promDuration(rule.resolveForSeconds) } : {}),
        labels: { severity: rule.severity, celeriac_rule: rule.id },
        annotations: {
          summary: `${rule.name}${label ? `: {{ $labels.${label} }}` : ""} is {{ $value }}`,
          ...(rule.description ? { description: rule.description } : {}),
          dashboard: `${base}${link}`,
        },
      };
    });
  const header = "# Generated by Celeriac from its alert rules (celeriac alerts prometheus-rules); edit the rules in Celeriac, not here.\n";
  return header + stringify({ groups: [{ name: "celeriac", rules: alerting }] }, { lineWidth: 0 });
}
