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

/** The event as a timeline entry: envelope apart, every other field as received. */
export function timelineEvent(event: CeleryEvent): TimelineEvent {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) if (!ENVELOPE.has(key) && value !== undefined) fields[key] = value;
  return { type: event.type, timestamp: event.timestamp, hostname: event.hostname, clock: event.clock, fields };
}

function taskObservation(event: CeleryEvent & { uuid: string }): EventObservations {
  const e = event as unknown as Record<string, unknown>;
  const state = TASK_EVENT_TO_STATE[event.type];
  const task: TaskObservation = {
    id: event.uuid,
    source: "event",
    state,
    stateAt: state === undefined ? undefined : event.timestamp,
    clock: state === undefined ? undefined : event.clock,
    name: text(e.name),
    rootId: text(e.root_id),
    parentId: text(e.parent_id),
    argsRepr: text(e.args),
    kwargsRepr: text(e.kwargs),
    result: text(e.result),
    exception: text(e.exception),
    traceback: text(e.traceback),
    retries: num(e.retries),
    // task-sent comes from the client (gen<pid>@host), every other task event from the worker.
    worker: event.type === "task-sent" ? undefined : event.hostname,
    queue: text(e.queue),
    exchange: text(e.exchange),
    routingKey: text(e.routing_key),
    eta: text(e.eta),
    expires: text(e.expires),
    runtime: num(e.runtime),
    event: timelineEvent(event),
  };
  const lifecycle = LIFECYCLE[event.type];
  if (lifecycle) task[lifecycle] = event.timestamp;
  // Undefined keys would still be own properties: drop them so that spreading or merging an
  // observation never carries "unknown" over a known value.
  for (const key of Object.keys(task) as (keyof TaskObservation)[]) if (task[key] === undefined) delete task[key];
  // A retry is re-sent with its own id as parent_id: that is no edge.
  const edge: WorkflowEdge | undefined = task.parentId && task.rootId && task.parentId !== task.id ? { rootId: task.rootId, fromId: task.parentId, toId: task.id, kind: "parent" } : undefined;
  return edge ? { task, edge } : { task };
}

function workerObservation(event: CeleryEvent, status: "online" | "offline"): WorkerObservation {
  const e = event as unknown as Record<string, unknown>;
  const worker: WorkerObservation = {
    hostname: event.hostname,
    status,
    at: event.timestamp,
    clock: event.clock,
    // Celery's Worker.event counts online and heartbeat alike as a heartbeat.
    heartbeat: status === "online",
    freq: num(e.freq),
    pid: event.pid,
    active: num(e.active),
    processed: num(e.processed),
    loadavg: Array.isArray(e.loadavg) ? (e.loadavg as number[]) : undefined,
    swIdent: text(e.sw_ident),
    swVer: text(e.sw_ver),
    swSys: text(e.sw_sys),
  };
  for (const key of Object.keys(worker) as (keyof WorkerObservation)[]) if (worker[key] === undefined) delete worker[key];
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
