// Turns one Celery event into the observations the store merges (pure): task events describe a
// task, worker-online/heartbeat/offline a worker; the field meanings follow celery/events/state.py.

import { type CeleryEvent, FAILURE, PENDING, RECEIVED, REJECTED, RETRY, REVOKED, STARTED, SUCCESS, type TaskState } from "../../celery/index";
import type { TaskObservation, TimelineEvent, WorkerObservation, WorkflowEdge } from "./observation";

/** What one event says; at most one of `task` and `worker` is set. */
export interface EventObservations {
  task?: TaskObservation;
  worker?: WorkerObservation;
  /** The parent edge a task event reveals (parent_id and root_id both known). */
  edge?: WorkflowEdge;
}

// celery.events.state.TASK_EVENT_TO_STATE. Other task events (task-cancelled, custom ones such as
// task-progress) only join the timeline: Celery would invent a state from the type ("PROGRESS"),
// which the store's precedence merge could not rank against real states.
const TASK_EVENT_TO_STATE: Readonly<Record<string, TaskState>> = {
  "task-sent": PENDING,
  "task-received": RECEIVED,
  "task-started": STARTED,
  "task-failed": FAILURE,
  "task-retried": RETRY,
  "task-succeeded": SUCCESS,
  "task-revoked": REVOKED,
  "task-rejected": REJECTED,
};

// The lifecycle time each event dates; a task is finished by its ready-state events.
const LIFECYCLE: Readonly<Record<string, "sentAt" | "receivedAt" | "startedAt" | "finishedAt">> = {
  "task-sent": "sentAt",
  "task-received": "receivedAt",
  "task-started": "startedAt",
  "task-succeeded": "finishedAt",
  "task-failed": "finishedAt",
  "task-revoked": "finishedAt",
};

// The envelope is recorded through the timeline event's own type/timestamp/hostname/clock.
const ENVELOPE: ReadonlySet<string> = new Set(["type", "uuid", "hostname", "utcoffset", "pid", "clock", "timestamp", "local_received"]);

const WORKER_STATUS: Readonly<Record<string, "online" | "offline">> = {
  "worker-online": "online",
  "worker-heartbeat": "online",
  "worker-offline": "offline",
};

// Events carry null for "not set" (root_id of a root task, eta of an immediate one): unknown here.
function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

// Task event field → observation field, and the type it must have to count (null: unknown).
const TASK_FIELDS: ReadonlyMap<string, readonly [keyof TaskObservation, "string" | "number"]> = new Map([
  ["name", ["name", "string"]],
  ["root_id", ["rootId", "string"]],
  ["parent_id", ["parentId", "string"]],
  ["args", ["argsRepr", "string"]],
  ["kwargs", ["kwargsRepr", "string"]],
  ["result", ["result", "string"]],
  ["exception", ["exception", "string"]],
  ["traceback", ["traceback", "string"]],
  ["retries", ["retries", "number"]],
  ["queue", ["queue", "string"]],
  ["exchange", ["exchange", "string"]],
  ["routing_key", ["routingKey", "string"]],
  ["eta", ["eta", "string"]],
  ["expires", ["expires", "string"]],
  ["runtime", ["runtime", "number"]],
]);

/**
 * The event as a timeline entry: envelope apart, every other field as received. `visit` sees
 * each of those fields, so a caller can read them in the same single pass.
 */
export function timelineEvent(event: CeleryEvent, visit?: (key: string, value: unknown) => void): TimelineEvent {
  const fields: Record<string, unknown> = {};
  const source = event as unknown as Record<string, unknown>;
  for (const key in source) {
    const value = source[key];
    if (value === undefined || ENVELOPE.has(key)) continue;
    fields[key] = value;
    visit?.(key, value);
  }
  return { type: event.type, timestamp: event.timestamp, hostname: event.hostname, clock: event.clock, fields };
}

// Only known fields become properties: an absent key, never an `undefined` one, so merging or
// spreading an observation cannot carry "unknown" over a known value (and no delete is needed,
// which would slow every later use of the object).
function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function taskObservation(event: CeleryEvent & { uuid: string }): EventObservations {
  const task: TaskObservation = { id: event.uuid, source: "event" };
  const state = TASK_EVENT_TO_STATE[event.type];
  if (state !== undefined) {
    task.state = state;
    task.stateAt = event.timestamp;
    put(task, "clock", event.clock);
  }
  // task-sent comes from the client (gen<pid>@host), every other task event from the worker.
  if (event.type !== "task-sent") task.worker = event.hostname;
  const lifecycle = LIFECYCLE[event.type];
  if (lifecycle) task[lifecycle] = event.timestamp;
  const known = task as unknown as Record<string, unknown>;
  task.event = timelineEvent(event, (key, value) => {
    const target = TASK_FIELDS.get(key);
    if (target && typeof value === target[1]) known[target[0]] = value;
  });
  // A retry is re-sent with its own id as parent_id: that is no edge.
  if (task.parentId && task.rootId && task.parentId !== task.id) return { task, edge: { rootId: task.rootId, fromId: task.parentId, toId: task.id, kind: "parent" } };
  return { task };
}

function workerObservation(event: CeleryEvent, status: "online" | "offline"): WorkerObservation {
  const e = event as unknown as Record<string, unknown>;
  // Celery's Worker.event counts online and heartbeat alike as a heartbeat.
  const worker: WorkerObservation = { hostname: event.hostname, status, at: event.timestamp, heartbeat: status === "online" };
  put(worker, "clock", event.clock);
  put(worker, "freq", num(e.freq));
  put(worker, "pid", event.pid);
  put(worker, "active", num(e.active));
  put(worker, "processed", num(e.processed));
  if (Array.isArray(e.loadavg)) worker.loadavg = e.loadavg as number[];
  put(worker, "swIdent", text(e.sw_ident));
  put(worker, "swVer", text(e.sw_ver));
  put(worker, "swSys", text(e.sw_sys));
  return worker;
}

/**
 * What the store should learn from one parsed event (parseEvent / EventReceiver output). Task
 * events give a TaskObservation (source "event"), plus a parent edge when parent_id and root_id
 * are known and the parent is another task; worker-online/heartbeat/offline give a WorkerObservation; anything else (gossip such
 * as worker-elect, custom non-task events) gives nothing.
 */
export function eventObservations(event: CeleryEvent): EventObservations {
  const uuid = (event as { uuid?: unknown }).uuid;
  if (event.type.startsWith("task-") && typeof uuid === "string") return taskObservation(event as CeleryEvent & { uuid: string });
  const status = WORKER_STATUS[event.type];
  return status ? { worker: workerObservation(event, status) } : {};
}
