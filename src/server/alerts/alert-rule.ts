// An alert rule: which measurement of the cluster to watch (its kind and a glob selecting task
// names, queues, workers or counters), over which window, with separate fire and resolve
// thresholds and durations (hysteresis), a severity, an environment scope and the channels to
// notify. One schema serves the admin page, the rules file and the store.

import { z } from "zod";
import { globPattern } from "./glob-pattern";

export const ALERT_KINDS = ["failure_rate", "task_failures", "runtime_p95", "queue_depth", "queue_age", "queue_no_consumer", "worker_offline", "ingest_lag", "ingest_errors"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The environment scope meaning "every environment" (and, until there are several, the one). */
export const ALL_ENVIRONMENTS = "*";

/** What a kind's selector matches, what its value means and the values a new rule starts from. */
export interface KindInfo {
  title: string;
  /** What the selector's glob is matched against; null: the kind watches the whole cluster. */
  selects: "task name" | "queue" | "worker" | "ingest counter" | null;
  /** The value compared with the thresholds. */
  value: string;
  /** What the window means for this kind. */
  window: string;
  defaults: { selector: string; windowSeconds: number; fireThreshold: number; resolveThreshold: number; forSeconds: number; resolveForSeconds: number };
}

const YES_NO = "1 when true, 0 when not";

export const KIND_INFO: Record<AlertKind, KindInfo> = {
  failure_rate: {
    title: "Task failure rate",
    selects: "task name",
    value: "FAILURE / finished tasks of the name in the window (0 to 1), once at least minCount finished",
    window: "the tasks that finished in it",
    defaults: { selector: "*", windowSeconds: 300, fireThreshold: 0.2, resolveThreshold: 0.05, forSeconds: 0, resolveForSeconds: 120 },
  },
  task_failures: {
    title: "Task failing N times",
    selects: "task name",
    value: "tasks of the name that ended in FAILURE in the window",
    window: "the tasks that finished in it",
    defaults: { selector: "*", windowSeconds: 600, fireThreshold: 5, resolveThreshold: 1, forSeconds: 0, resolveForSeconds: 0 },
  },
  runtime_p95: {
    title: "Runtime p95",
    selects: "task name",
    value: "95th percentile of the runtime in seconds, once at least minCount finished",
    window: "the tasks that finished in it",
    defaults: { selector: "*", windowSeconds: 900, fireThreshold: 30, resolveThreshold: 20, forSeconds: 0, resolveForSeconds: 300 },
  },
  queue_depth: {
    title: "Queue depth",
    selects: "queue",
    value: "messages waiting in the broker (latest sample)",
    window: "how recent the sample must be",
    defaults: { selector: "*", windowSeconds: 300, fireThreshold: 1000, resolveThreshold: 100, forSeconds: 120, resolveForSeconds: 60 },
  },
  queue_age: {
    title: "Oldest message age",
    selects: "queue",
    value: "seconds the oldest task still PENDING on the queue has waited since it was sent",
    window: "not used",
    defaults: { selector: "*", windowSeconds: 300, fireThreshold: 600, resolveThreshold: 120, forSeconds: 0, resolveForSeconds: 60 },
  },
  queue_no_consumer: {
    title: "No worker consuming a queue",
    selects: "queue",
    value: `${YES_NO}: no consumer (the broker's count where it keeps one, else no live worker lists the queue)`,
    window: "how recent the queue's sample must be",
    defaults: { selector: "*", windowSeconds: 300, fireThreshold: 1, resolveThreshold: 1, forSeconds: 60, resolveForSeconds: 0 },
  },
  worker_offline: {
    title: "Worker offline",
    selects: "worker",
    value: `${YES_NO}: the worker is offline (no heartbeat within twice its frequency)`,
    window: "workers heard from within it are watched; longer gone ones are forgotten",
    defaults: { selector: "*", windowSeconds: 86_400, fireThreshold: 1, resolveThreshold: 1, forSeconds: 60, resolveForSeconds: 0 },
  },
  ingest_lag: {
    title: "Ingestion lag",
    selects: null,
    value: "seconds between now and the newest heartbeat the store holds from an online worker",
    window: "not used",
    defaults: { selector: "*", windowSeconds: 300, fireThreshold: 60, resolveThreshold: 15, forSeconds: 30, resolveForSeconds: 30 },
  },
  ingest_errors: {
    title: "Ingestion errors",
    selects: "ingest counter",
    value: "increase of the selected ingest counters over the window",
    window: "the increase is counted over it (from when this process started evaluating, at most)",
    defaults: { selector: "events.dropped|events.malformed|quarantined.*", windowSeconds: 600, fireThreshold: 1, resolveThreshold: 1, forSeconds: 0, resolveForSeconds: 0 },
  },
};

const name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _.:/-]*$/u, "use letters, digits, spaces and _ . : / - (starting with a letter or digit)");

/** A channel's name as rules refer to it. */
export const channelName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "use letters, digits and _ . - (starting with a letter or digit)");

const MAX_WINDOW = 7 * 86_400;
const duration = z.number().int().min(0).max(MAX_WINDOW);

/** A rule as the admin page and the rules file give it. */
export const alertRuleInput = z
  .object({
    name,
    kind: z.enum(ALERT_KINDS),
    /** Globs (* and ?), several separated by |. */
    selector: globPattern.default("*"),
    /** Rollups are per minute: shorter windows would measure a partial minute. */
    windowSeconds: z.number().int().min(60).max(MAX_WINDOW),
    fireThreshold: z.number().finite().min(0).max(1e12),
    resolveThreshold: z.number().finite().min(0).max(1e12),
    forSeconds: duration.default(0),
    resolveForSeconds: duration.default(0),
    minCount: z.number().int().min(1).max(1_000_000).default(1),
    severity: z.enum(SEVERITIES).default("warning"),
    environment: z.string().trim().min(1).max(64).default(ALL_ENVIRONMENTS),
    channels: z.array(channelName).max(20).default([]),
    enabled: z.boolean().default(true),
    description: z.string().trim().max(2000).optional(),
  })
  .superRefine((rule, context) => {
    if (rule.resolveThreshold > rule.fireThreshold) {
      context.addIssue({ code: "custom", path: ["resolveThreshold"], message: `must not be above fireThreshold (${rule.fireThreshold}): the alert resolves when the value falls below it` });
    }
    if (new Set(rule.channels).size !== rule.channels.length) context.addIssue({ code: "custom", path: ["channels"], message: "names a channel twice" });
  });

export type AlertRuleInput = z.input<typeof alertRuleInput>;
export type AlertRuleSpec = z.output<typeof alertRuleInput>;

/** A rule as stored. */
export interface AlertRule extends AlertRuleSpec {
  id: string;
  /** store: edited on the admin page; file: from CELERIAC_ALERT_RULES_FILE, read-only in the UI. */
  source: "store" | "file";
  updatedBy: string | null;
  /** Epoch seconds. */
  updatedAt: number;
}
