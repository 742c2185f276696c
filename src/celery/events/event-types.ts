// Typed Celery events and their validation; mirrors the event fields of celery/events/event.py, celery/worker/request.py and celery/worker/heartbeat.py.

import { MalformedMessage } from "../errors";

/**
 * Fields every event carries, in Celery's wire order: hostname, utcoffset, pid, clock, then the
 * type-specific fields, then timestamp and type. `local_received` is added by `EventReceiver`.
 */
export interface EventBase {
  type: string;
  /** Worker nodename (`celery@host`), or the client's `gen<pid>@host` for task-sent. */
  hostname: string;
  /** Whole hours, positive WEST of UTC (Python's `time.timezone // 3600`). */
  utcoffset?: number;
  pid?: number;
  /** Lamport clock. Absent (or null on the wire) only for "blind" events; EventReceiver always fills it. */
  clock?: number;
  /** Float epoch seconds. */
  timestamp: number;
  /** Epoch seconds at which EventReceiver took the event off the wire (celery.events.receiver). */
  local_received?: number;
}

/** Every task event names its task as `uuid` (not `id`). */
export interface TaskEventBase extends EventBase {
  uuid: string;
}

/** Published by the producer (only with task_send_sent_event); args/kwargs are repr strings. */
export interface TaskSentEvent extends TaskEventBase {
  type: "task-sent";
  root_id?: string | null;
  parent_id?: string | null;
  name?: string;
  args?: string;
  kwargs?: string;
  retries?: number;
  eta?: string | null;
  expires?: string | null;
  queue?: string | null;
  exchange?: string | null;
  routing_key?: string | null;
}

export interface TaskReceivedEvent extends TaskEventBase {
  type: "task-received";
  name?: string;
  args?: string;
  kwargs?: string;
  root_id?: string | null;
  parent_id?: string | null;
  retries?: number;
  eta?: string | null;
  expires?: string | null;
}

export interface TaskStartedEvent extends TaskEventBase {
  type: "task-started";
}

export interface TaskSucceededEvent extends TaskEventBase {
  type: "task-succeeded";
  /** repr() of the return value, truncated by the worker. */
  result?: string;
  /** Seconds. */
  runtime?: number;
}

export interface TaskFailedEvent extends TaskEventBase {
  type: "task-failed";
  /** repr() of the exception, e.g. `"KeyError('missing 7')"`. */
  exception?: string;
  traceback?: string | null;
}

export interface TaskRetriedEvent extends TaskEventBase {
  type: "task-retried";
  exception?: string;
  traceback?: string | null;
}

export interface TaskRevokedEvent extends TaskEventBase {
  type: "task-revoked";
  terminated?: boolean;
  signum?: number | string | null;
  expired?: boolean;
}

export interface TaskRejectedEvent extends TaskEventBase {
  type: "task-rejected";
  requeue?: boolean;
}

/** A task cancelled because the worker lost its broker connection (Celery 5.2+). */
export interface TaskCancelledEvent extends TaskEventBase {
  type: "task-cancelled";
}

/** worker-online / worker-heartbeat / worker-offline share celery/worker/heartbeat.py's fields. */
export interface WorkerEventBase extends EventBase {
  /** Heartbeat interval in seconds (2.0 by default). */
  freq?: number;
  active?: number;
  processed?: number;
  loadavg?: number[];
  sw_ident?: string;
  sw_ver?: string;
  sw_sys?: string;
}

export interface WorkerOnlineEvent extends WorkerEventBase {
  type: "worker-online";
}

export interface WorkerHeartbeatEvent extends WorkerEventBase {
  type: "worker-heartbeat";
}

export interface WorkerOfflineEvent extends WorkerEventBase {
  type: "worker-offline";
}

/** Events Celery defines, keyed by type. */
export interface KnownEventMap {
  "task-sent": TaskSentEvent;
  "task-received": TaskReceivedEvent;
  "task-started": TaskStartedEvent;
  "task-succeeded": TaskSucceededEvent;
  "task-failed": TaskFailedEvent;
  "task-retried": TaskRetriedEvent;
  "task-revoked": TaskRevokedEvent;
  "task-rejected": TaskRejectedEvent;
  "task-cancelled": TaskCancelledEvent;
  "worker-online": WorkerOnlineEvent;
  "worker-heartbeat": WorkerHeartbeatEvent;
  "worker-offline": WorkerOfflineEvent;
}

export type KnownEventType = keyof KnownEventMap;
export type KnownEvent = KnownEventMap[KnownEventType];
export type TaskEvent = KnownEventMap[Extract<KnownEventType, `task-${string}`>];
export type WorkerEvent = KnownEventMap[Extract<KnownEventType, `worker-${string}`>];

/**
 * Any other type (`Task.send_event("task-progress", …)`, gossip `worker-elect`, …): kept with all
 * its fields. A custom `task-*` event still has `uuid` (parseEvent checks it).
 */
export interface CustomEvent extends EventBase {
  uuid?: string;
  [field: string]: unknown;
}

/** What parseEvent returns. Use `isKnownEvent` before switching on `type` to narrow. */
export type CeleryEvent = KnownEvent | CustomEvent;

type FieldKind = "string" | "string?" | "number" | "boolean" | "signum" | "loadavg";

const TASK_RECEIVED_FIELDS: Record<string, FieldKind> = {
  name: "string",
  args: "string",
  kwargs: "string",
  root_id: "string?",
  parent_id: "string?",
  retries: "number",
  eta: "string?",
  expires: "string?",
};
const TASK_ERROR_FIELDS: Record<string, FieldKind> = { exception: "string", traceback: "string?" };
const WORKER_FIELDS: Record<string, FieldKind> = {
  freq: "number",
  active: "number",
  processed: "number",
  loadavg: "loadavg",
  sw_ident: "string",
  sw_ver: "string",
  sw_sys: "string",
};

// Types of the specific fields, checked when present: Celery versions and other producers
// differ in which they send, but a present field of the wrong type would corrupt monitors.
const FIELDS: Record<KnownEventType, Record<string, FieldKind>> = {
  "task-sent": { ...TASK_RECEIVED_FIELDS, queue: "string?", exchange: "string?", routing_key: "string?" },
  "task-received": TASK_RECEIVED_FIELDS,
  "task-started": {},
  "task-succeeded": { result: "string", runtime: "number" },
  "task-failed": TASK_ERROR_FIELDS,
  "task-retried": TASK_ERROR_FIELDS,
  "task-revoked": { terminated: "boolean", signum: "signum", expired: "boolean" },
  "task-rejected": { requeue: "boolean" },
  "task-cancelled": {},
  "worker-online": WORKER_FIELDS,
  "worker-heartbeat": WORKER_FIELDS,
  "worker-offline": WORKER_FIELDS,
};

/** True for the twelve event types Celery itself defines. */
export function isKnownEvent(event: CeleryEvent): event is KnownEvent {
  return Object.hasOwn(FIELDS, event.type);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function matches(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case "string":
      return typeof value === "string";
    case "string?":
      return value === null || typeof value === "string";
    case "number":
      return isFiniteNumber(value);
    case "boolean":
      return typeof value === "boolean";
    case "signum":
      return value === null || typeof value === "string" || isFiniteNumber(value);
    case "loadavg":
      return Array.isArray(value) && value.every(isFiniteNumber);
  }
}

const KIND_TEXT: Record<FieldKind, string> = {
  string: "a string",
  "string?": "a string or null",
  number: "a finite number",
  boolean: "a boolean",
  signum: "a signal number, name or null",
  loadavg: "an array of numbers",
};

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/**
 * Validates one decoded event object (one element of a `task.multi` array, or a whole body) and
 * returns it typed. Throws MalformedMessage naming the first problem: not an object, missing or
 * non-string `type`/`hostname`, missing or non-numeric `timestamp`, a task event without `uuid`,
 * or a known field of the wrong type. Unknown types are returned as CustomEvent, untouched.
 * A null `clock` (Celery's "blind" events) is left out of the result so that the receiver assigns one.
 */
export function parseEvent(obj: unknown): CeleryEvent {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
    throw new MalformedMessage(`An event must be a JSON object, got ${describe(obj)}; check what the producer publishes to the celeryev exchange.`);
  }
  // A shallow copy: the caller's object is never modified.
  const event: Record<string, unknown> = { ...obj };
  const type = event.type;
  if (typeof type !== "string" || type === "") {
    throw new MalformedMessage(`Event has no "type" (got ${describe(type)}); every Celery event needs a type such as "task-succeeded".`);
  }
  const problem = (detail: string) => new MalformedMessage(`Event "${type}" ${detail}.`);
  if (typeof event.hostname !== "string") throw problem(`has no string "hostname" (got ${describe(event.hostname)}); the sender must name itself`);
  if (!isFiniteNumber(event.timestamp)) throw problem(`has no numeric "timestamp" (got ${describe(event.timestamp)}); it must be float epoch seconds`);
  if (event.clock === null) delete event.clock;
  for (const key of ["clock", "utcoffset", "pid"] as const) {
    if (event[key] !== undefined && !isFiniteNumber(event[key])) throw problem(`has a non-numeric "${key}" (${describe(event[key])})`);
  }
  if (type.startsWith("task-") && (typeof event.uuid !== "string" || event.uuid === "")) {
    throw problem(`has no "uuid" (got ${describe(event.uuid)}); task events name their task in "uuid", not "id"`);
  }
  const fields = Object.hasOwn(FIELDS, type) ? FIELDS[type as KnownEventType] : {};
  for (const [field, kind] of Object.entries(fields)) {
    const value = event[field];
    if (value !== undefined && !matches(kind, value)) throw problem(`has "${field}" = ${describe(value)}, expected ${KIND_TEXT[kind]}`);
  }
  return event as unknown as CeleryEvent;
}
