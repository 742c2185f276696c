// In-memory cluster state built from events (tasks by uuid, workers by hostname); mirrors celery/events/state.py State, Task and Worker.

import { FAILURE, outranks, PENDING, READY_STATES, RECEIVED, REJECTED, RETRY, REVOKED, STARTED, SUCCESS, type TaskState } from "../states";
import type { CeleryEvent } from "./event-types";

/** One task as the events describe it. Owned by the ClusterState: read it, do not modify it. */
export interface TaskRecord {
  uuid: string;
  state: TaskState;
  name: string | null;
  /** repr strings, as the events carry them. */
  args: string | null;
  kwargs: string | null;
  retries: number | null;
  eta: string | null;
  expires: string | null;
  root_id: string | null;
  parent_id: string | null;
  result: string | null;
  exception: string | null;
  traceback: string | null;
  runtime: number | null;
  queue: string | null;
  exchange: string | null;
  routing_key: string | null;
  /** Hostname of the worker that last reported on it. */
  worker: string | null;
  /** Hostname of the client that sent it (task-sent). */
  client: string | null;
  /** Clock and timestamp of the event that set `state`. */
  clock: number;
  timestamp: number | null;
  /** When each lifecycle event happened (Celery's `task.received`, `task.started`, …). */
  sent: number | null;
  received: number | null;
  started: number | null;
  succeeded: number | null;
  failed: number | null;
  retried: number | null;
  revoked: number | null;
  rejected: number | null;
  /** uuids of the tasks whose parent_id is this task. */
  children: Set<string>;
  /** STARTED on a worker that has since gone offline: it may never finish. */
  possiblyLost: boolean;
  /** Every other field the events carried (`terminated`, `requeue`, custom event fields, …). */
  extra: Record<string, unknown>;
}

/** One worker. Owned by the ClusterState: read it, do not modify it. */
export interface WorkerRecord {
  hostname: string;
  pid: number | null;
  /** Heartbeat interval in seconds (Celery's default 60 until the worker says otherwise). */
  freq: number;
  /** Receive times of the last 4 heartbeats, oldest first. */
  heartbeats: number[];
  clock: number;
  active: number | null;
  processed: number | null;
  loadavg: number[] | null;
  sw_ident: string | null;
  sw_ver: string | null;
  sw_sys: string | null;
  /** Timestamp of its last worker-* event. */
  timestamp: number | null;
  /** Timestamp of its worker-offline, until it comes back. */
  offlineAt: number | null;
}

export type ClusterStateChange =
  | { kind: "task"; subject: string; task: TaskRecord; created: boolean }
  | { kind: "worker"; subject: string; worker: WorkerRecord; created: boolean };

export interface ClusterStateOptions {
  /** Tasks kept, least recently updated dropped first (Celery's max_tasks_in_memory). */
  maxTasks?: number;
  /** Workers kept (Celery's max_workers_in_memory). */
  maxWorkers?: number;
  /** Current time in epoch seconds, for liveness. */
  now?: () => number;
}

const TASK_EVENT_TO_STATE: Record<string, TaskState> = {
  sent: PENDING,
  received: RECEIVED,
  started: STARTED,
  failed: FAILURE,
  retried: RETRY,
  succeeded: SUCCESS,
  revoked: REVOKED,
  rejected: REJECTED,
};

const TASK_FIELDS: ReadonlySet<string> = new Set([
  "name",
  "args",
  "kwargs",
  "retries",
  "eta",
  "expires",
  "root_id",
  "parent_id",
  "result",
  "exception",
  "traceback",
  "runtime",
  "queue",
  "exchange",
  "routing_key",
]);
const WORKER_FIELDS: ReadonlySet<string> = new Set(["pid", "freq", "clock", "active", "processed", "loadavg", "sw_ident", "sw_ver", "sw_sys"]);
// The envelope says who sent what when; it is recorded through worker/client/clock/timestamp.
const ENVELOPE: ReadonlySet<string> = new Set(["type", "uuid", "hostname", "utcoffset", "pid", "clock", "timestamp", "local_received"]);
// Task.merge_rules: a RECEIVED that arrives after a stronger state only fills in these.
const LATE_RECEIVED_FIELDS: ReadonlySet<string> = new Set(["name", "args", "kwargs", "parent_id", "root_id", "retries", "eta", "expires"]);

const HEARTBEAT_MAX = 4;
// HEARTBEAT_EXPIRE_WINDOW 200 %: alive while now < last heartbeat + freq * 2.
const EXPIRE_FACTOR = 2;

function newTask(uuid: string): TaskRecord {
  return {
    uuid,
    state: PENDING,
    name: null,
    args: null,
    kwargs: null,
    retries: null,
    eta: null,
    expires: null,
    root_id: null,
    parent_id: null,
    result: null,
    exception: null,
    traceback: null,
    runtime: null,
    queue: null,
    exchange: null,
    routing_key: null,
    worker: null,
    client: null,
    clock: 0,
    timestamp: null,
    sent: null,
    received: null,
    started: null,
    succeeded: null,
    failed: null,
    retried: null,
    revoked: null,
    rejected: null,
    children: new Set(),
    possiblyLost: false,
    extra: {},
  };
}

function newWorker(hostname: string): WorkerRecord {
  return {
    hostname,
    pid: null,
    freq: 60,
    heartbeats: [],
    clock: 0,
    active: null,
    processed: null,
    loadavg: null,
    sw_ident: null,
    sw_ver: null,
    sw_sys: null,
    timestamp: null,
    offlineAt: null,
  };
}

// Map iteration order is insertion order: re-inserting on use makes the first key the least
// recently used one.
function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
}

/**
 * The cluster as a monitor (Flower, `celery events`) sees it: a pure reducer over events, with
 * Celery's tolerance for out-of-order and duplicate delivery (celery.events.state.State).
 */
export class ClusterState {
  private readonly taskMap = new Map<string, TaskRecord>();
  private readonly workerMap = new Map<string, WorkerRecord>();
  // Children whose parent has not been seen yet, by parent uuid.
  private readonly parked = new Map<string, Set<string>>();
  private readonly seenTypes = new Set<string>();
  private readonly maxTasks: number;
  private readonly maxWorkers: number;
  private readonly now: () => number;
  private events = 0;
  private received = 0;

  constructor(options: ClusterStateOptions = {}) {
    this.maxTasks = options.maxTasks ?? 10_000;
    this.maxWorkers = options.maxWorkers ?? 5_000;
    this.now = options.now ?? (() => Date.now() / 1000);
  }

  /** Every event applied so far (Celery's event_count). */
  get eventCount(): number {
    return this.events;
  }

  /** task-received events applied so far (Celery's task_count). */
  get taskCount(): number {
    return this.received;
  }

  get tasks(): ReadonlyMap<string, TaskRecord> {
    return this.taskMap;
  }

  get workers(): ReadonlyMap<string, WorkerRecord> {
    return this.workerMap;
  }

  task(uuid: string): TaskRecord | undefined {
    return this.taskMap.get(uuid);
  }

  worker(hostname: string): WorkerRecord | undefined {
    return this.workerMap.get(hostname);
  }

  parent(task: TaskRecord): TaskRecord | undefined {
    return task.parent_id ? this.taskMap.get(task.parent_id) : undefined;
  }

  root(task: TaskRecord): TaskRecord | undefined {
    return task.root_id ? this.taskMap.get(task.root_id) : undefined;
  }

  children(task: TaskRecord): TaskRecord[] {
    return [...task.children].flatMap((uuid) => this.taskMap.get(uuid) ?? []);
  }

  /** Sorted names of every task type seen. */
  taskTypes(): string[] {
    return [...this.seenTypes].sort();
  }

  /** Tasks newest first by (clock, timestamp) of the event that set their state. */
  tasksByTime(limit?: number): TaskRecord[] {
    const sorted = [...this.taskMap.values()].sort((a, b) => b.clock - a.clock || (b.timestamp ?? 0) - (a.timestamp ?? 0));
    return limit === undefined ? sorted : sorted.slice(0, limit);
  }

  /** When the worker counts as gone unless it sends another heartbeat, or null without heartbeats. */
  heartbeatExpires(worker: WorkerRecord): number | null {
    const last = worker.heartbeats.at(-1);
    return last === undefined ? null : last + worker.freq * EXPIRE_FACTOR;
  }

  /** now < last heartbeat + freq × 2 (Celery's Worker.alive). */
  isAlive(worker: WorkerRecord | string, now: number = this.now()): boolean {
    const record = typeof worker === "string" ? this.workerMap.get(worker) : worker;
    const expires = record ? this.heartbeatExpires(record) : null;
    return expires !== null && now < expires;
  }

  aliveWorkers(now: number = this.now()): WorkerRecord[] {
    return [...this.workerMap.values()].filter((worker) => this.isAlive(worker, now));
  }

  /** Forgets workers and tasks; with `ready` (default) tasks still in progress are kept. */
  clear(options: { ready?: boolean } = {}): void {
    for (const [uuid, task] of this.taskMap) {
      if (!(options.ready ?? true) || READY_STATES.has(task.state)) this.taskMap.delete(uuid);
    }
    this.workerMap.clear();
    this.parked.clear();
    this.events = 0;
    this.received = 0;
  }

  /**
   * Applies one event. Returns what it changed, or null for events of other groups and task
   * events without a uuid.
   */
  event(event: CeleryEvent): ClusterStateChange | null {
    this.events += 1;
    const dash = event.type.indexOf("-");
    const group = dash === -1 ? event.type : event.type.slice(0, dash);
    const subject = dash === -1 ? "" : event.type.slice(dash + 1);
    if (group === "worker") return this.workerEvent(subject, event);
    const uuid = (event as { uuid?: unknown }).uuid;
    if (group === "task" && typeof uuid === "string") return this.taskEvent(subject, event, uuid);
    return null;
  }

  private workerEvent(subject: string, event: CeleryEvent): ClusterStateChange {
    const existing = this.workerMap.get(event.hostname);
    const worker = existing ?? newWorker(event.hostname);
    this.putWorker(worker);
    for (const [key, value] of Object.entries(event)) {
      if (WORKER_FIELDS.has(key) && value !== undefined) (worker as unknown as Record<string, unknown>)[key] = value;
    }
    worker.timestamp = event.timestamp;
    if (subject === "offline") {
      worker.heartbeats = [];
      worker.offlineAt = event.timestamp;
      for (const task of this.taskMap.values()) {
        if (task.worker === worker.hostname && task.state === STARTED) task.possiblyLost = true;
      }
    } else {
      worker.offlineAt = null;
      // Celery counts only heartbeats with a receive time; replays from a store have none, so
      // the sender's timestamp stands in.
      addHeartbeat(worker, event.local_received ?? event.timestamp);
    }
    return { kind: "worker", subject, worker, created: !existing };
  }

  private taskEvent(subject: string, event: CeleryEvent, uuid: string): ClusterStateChange {
    const existing = this.taskMap.get(uuid);
    const task = existing ?? newTask(uuid);
    this.putTask(task);
    if (subject === "sent") {
      task.client = event.hostname;
    } else {
      const worker = this.workerMap.get(event.hostname) ?? newWorker(event.hostname);
      this.putWorker(worker);
      task.worker = worker.hostname;
      // As Celery: any task event from a worker also proves it is alive, dated by the event.
      addHeartbeat(worker, event.timestamp);
    }
    if (subject === "received") this.received += 1;
    applyTaskEvent(task, subject, event);
    task.possiblyLost = task.state === STARTED && task.worker !== null && this.workerMap.get(task.worker)?.offlineAt != null;
    if (task.name !== null) this.seenTypes.add(task.name);
    if (task.parent_id) {
      const parent = this.taskMap.get(task.parent_id);
      if (parent) parent.children.add(uuid);
      else this.park(task.parent_id, uuid);
    }
    const waiting = this.parked.get(uuid);
    if (waiting) {
      for (const child of waiting) task.children.add(child);
      this.parked.delete(uuid);
    }
    return { kind: "task", subject, task, created: !existing };
  }

  private park(parentId: string, childId: string): void {
    const children = this.parked.get(parentId) ?? new Set<string>();
    children.add(childId);
    this.parked.set(parentId, children);
  }

  private putTask(task: TaskRecord): void {
    touch(this.taskMap, task.uuid, task);
    while (this.taskMap.size > this.maxTasks) {
      const [oldest] = this.taskMap.values();
      this.taskMap.delete(oldest!.uuid);
      if (oldest!.parent_id) {
        this.taskMap.get(oldest!.parent_id)?.children.delete(oldest!.uuid);
        const siblings = this.parked.get(oldest!.parent_id);
        siblings?.delete(oldest!.uuid);
        if (siblings?.size === 0) this.parked.delete(oldest!.parent_id);
      }
    }
  }

  private putWorker(worker: WorkerRecord): void {
    touch(this.workerMap, worker.hostname, worker);
    while (this.workerMap.size > this.maxWorkers) {
      const [oldest] = this.workerMap.keys();
      this.workerMap.delete(oldest!);
    }
  }
}

// Worker.event: keeps the last HEARTBEAT_MAX receive times in order.
function addHeartbeat(worker: WorkerRecord, at: number): void {
  const beats = worker.heartbeats;
  if (beats.length > HEARTBEAT_MAX - 1) beats.shift();
  if (beats.length === 0 || at > beats.at(-1)!) {
    beats.push(at);
  } else {
    const index = beats.findIndex((beat) => beat > at);
    beats.splice(index === -1 ? beats.length : index, 0, at);
  }
}

// Task.event, with WIRE.md §6.4's reading of the out-of-order rule: an event whose state is
// weaker than the current one (RETRY excepted on either side) never moves state, timestamp or
// clock; a late RECEIVED only fills in its own fields, other late events merge everything.
function applyTaskEvent(task: TaskRecord, subject: string, event: CeleryEvent): void {
  const mapped = TASK_EVENT_TO_STATE[subject];
  if (mapped !== undefined) (task as unknown as Record<string, unknown>)[subject] = event.timestamp;
  const state = mapped ?? subject.toUpperCase();
  const late = state !== RETRY && task.state !== RETRY && outranks(task.state, state);
  const keep = late && state === RECEIVED ? LATE_RECEIVED_FIELDS : null;
  for (const [key, value] of Object.entries(event)) {
    if (ENVELOPE.has(key) || (keep && !keep.has(key))) continue;
    if (TASK_FIELDS.has(key)) (task as unknown as Record<string, unknown>)[key] = value;
    else task.extra[key] = value;
  }
  if (!late) {
    task.state = state;
    task.timestamp = event.timestamp;
    task.clock = event.clock ?? task.clock;
  }
}
