// The event ingestor's in-memory batch: observations merged per task and per worker until the
// next flush, with the count of events they stand for and a promise settled once they are durable.

import { outranks, RETRY } from "../../celery/index";
import type { EventObservations } from "./event-observations";
import type { IngestBatch, TaskObservation, TimelineEvent, WorkerObservation, WorkflowEdge } from "./observation";

// One task's merged observation (its `event` is the first timeline event) and the timeline
// events of the observations merged into it since.
interface TaskEntry {
  merged: TaskObservation;
  more: TimelineEvent[];
}

interface TaskSlot {
  entries: TaskEntry[];
  edges: Map<string, WorkflowEdge>;
  /** Events this slot stands for. */
  events: number;
}

interface WorkerSlot {
  worker: WorkerObservation;
  events: number;
}

interface Settler {
  resolve(): void;
  reject(error: Error): void;
}

// Precedence is a maximum, so merging in any order gives what the store would reach applying the
// observations one by one, except around RETRY: Celery lets a RETRY override a stronger state and
// be overridden by a weaker one (a new attempt), which depends on order. Observations with a RETRY
// on either side therefore stay apart, in arrival order.
function mergeable(a: TaskObservation, b: TaskObservation): boolean {
  return a.state !== RETRY && b.state !== RETRY;
}

// Later defined fields win, as in the store; state, stateAt and clock travel together with the
// higher-precedence state (the later one on a tie).
function merge(into: TaskObservation, next: TaskObservation): void {
  const keep = next.state === undefined || (into.state !== undefined && outranks(into.state, next.state));
  const { state, stateAt, clock, event } = into;
  Object.assign(into, next);
  if (keep) {
    // Restore by key presence: an absent key must stay absent, not become `undefined`.
    if (state !== undefined) into.state = state;
    else delete into.state;
    if (stateAt !== undefined) into.stateAt = stateAt;
    else delete into.stateAt;
    if (clock !== undefined) into.clock = clock;
    else delete into.clock;
  }
  if (event !== undefined) into.event = event;
}

function newerWorker(a: WorkerObservation, b: WorkerObservation): boolean {
  return b.at >= a.at;
}

/**
 * Observations waiting for the next write; it takes ownership of what it is given (observations
 * are merged in place), and the batches it returns share those objects. Task observations of the same id merge (their timeline
 * events are all kept), worker observations keep the latest status with every field known so far,
 * edges are deduplicated. Insertion order is age, so the oldest task can be dropped first.
 */
export class IngestBuffer {
  private readonly tasks = new Map<string, TaskSlot>();
  private readonly workers = new Map<string, WorkerSlot>();
  private settlers: Settler[] = [];
  private written: Promise<void> | null = null;
  // Once absorbed, waiters are the absorber's; once settled, later waiters get the outcome at once.
  private into: IngestBuffer | null = null;
  private outcome: { lost: Error | null } | null = null;
  private held = 0;
  private acks = 0;
  // A Map keeps deleted entries as holes until it is rehashed, and every new iteration walks them
  // from the start: dropping the oldest one at a time with fresh iterations is quadratic. One live
  // iterator walks past each hole once (it also sees entries added later).
  private oldest: Iterator<[string, TaskSlot]> | null = null;

  /** Events held (each task or worker event counts once, however merged). */
  get events(): number {
    return this.held;
  }

  /** Deliveries waiting on {@link whenWritten}. */
  get deliveries(): number {
    return this.acks;
  }

  /** Nothing to write (there may still be deliveries waiting, e.g. for an all-malformed body). */
  get empty(): boolean {
    return this.tasks.size === 0 && this.workers.size === 0;
  }

  /** Adds what one event said; `events` is how many events it stands for (0 for a derived observation). */
  add(observed: EventObservations, events = 1): void {
    if (observed.task) this.addTask(observed.task, observed.edge, events);
    if (observed.worker) this.addWorker(observed.worker, events);
  }

  private slot(id: string): TaskSlot {
    let slot = this.tasks.get(id);
    if (!slot) {
      slot = { entries: [], edges: new Map(), events: 0 };
      this.tasks.set(id, slot);
    }
    return slot;
  }

  // Merges the entry into the slot's last one when order cannot matter, else appends it.
  private addEntry(slot: TaskSlot, entry: TaskEntry): void {
    const last = slot.entries.at(-1);
    if (!last || !mergeable(last.merged, entry.merged)) {
      slot.entries.push(entry);
      return;
    }
    const event = entry.merged.event;
    // Without an event of its own, the merged observation takes this one (merge copies it over).
    const hadEvent = last.merged.event !== undefined;
    merge(last.merged, entry.merged);
    if (event && hadEvent) last.more.push(event);
    last.more.push(...entry.more);
  }

  private addTask(task: TaskObservation, edge: WorkflowEdge | undefined, events: number): void {
    const slot = this.slot(task.id);
    this.addEntry(slot, { merged: task, more: [] });
    if (edge) slot.edges.set(`${edge.kind} ${edge.fromId} ${edge.toId}`, edge);
    slot.events += events;
    this.held += events;
  }

  private addWorker(worker: WorkerObservation, events: number): void {
    const slot = this.workers.get(worker.hostname);
    if (!slot) {
      this.workers.set(worker.hostname, { worker: { ...worker }, events });
    } else {
      slot.worker = newerWorker(slot.worker, worker) ? { ...slot.worker, ...worker } : { ...worker, ...slot.worker };
      slot.events += events;
    }
    this.held += events;
  }

  /**
   * Takes in a newer buffer (what arrived while this one was being written and failed): its
   * observations merge after ours, and whoever waits on it now waits on this one.
   */
  absorb(newer: IngestBuffer): void {
    for (const [id, theirs] of newer.tasks) {
      const mine = this.slot(id);
      for (const entry of theirs.entries) this.addEntry(mine, entry);
      for (const [key, edge] of theirs.edges) mine.edges.set(key, edge);
      mine.events += theirs.events;
      this.held += theirs.events;
    }
    for (const slot of newer.workers.values()) this.addWorker(slot.worker, slot.events);
    this.settlers.push(...newer.settlers);
    this.acks += newer.acks;
    newer.settlers = [];
    newer.into = this;
  }

  /**
   * Drops the oldest tasks (whole, with their edges) until at least `events` events are gone, or
   * nothing is left; returns how many events were dropped.
   */
  dropOldest(events: number): number {
    let dropped = 0;
    while (dropped < events) {
      this.oldest ??= this.tasks.entries();
      const next = this.oldest.next();
      if (next.done) {
        this.oldest = null;
        break;
      }
      const [id, slot] = next.value;
      this.tasks.delete(id);
      dropped += slot.events;
    }
    for (const [hostname, slot] of this.workers) {
      if (dropped >= events) break;
      this.workers.delete(hostname);
      dropped += slot.events;
    }
    this.held -= dropped;
    return dropped;
  }

  /**
   * One observation per merged entry, carrying its first timeline event; each further timeline
   * event rides on an observation of its own (IngestBatch has one `event` per observation).
   */
  toBatch(): IngestBatch {
    const batch: IngestBatch = { tasks: [], workers: [], groups: [], edges: [] };
    for (const slot of this.tasks.values()) {
      for (const entry of slot.entries) {
        batch.tasks.push(entry.merged);
        for (const event of entry.more) batch.tasks.push({ id: entry.merged.id, source: entry.merged.source, event });
      }
      batch.edges.push(...slot.edges.values());
    }
    for (const slot of this.workers.values()) batch.workers.push(slot.worker);
    return batch;
  }

  /** Resolves once this buffer (or the one that absorbed it) was written, rejects if it never will be. */
  whenWritten(): Promise<void> {
    if (this.into) return this.into.whenWritten();
    if (this.outcome) return this.outcome.lost ? Promise.reject(this.outcome.lost) : Promise.resolve();
    this.acks += 1;
    if (!this.written) this.written = new Promise<void>((resolve, reject) => this.settlers.push({ resolve, reject }));
    return this.written;
  }

  /** The batch is durable: every waiter may ack. */
  settleWritten(): void {
    this.outcome = { lost: null };
    for (const settler of this.settlers) settler.resolve();
    this.settlers = [];
  }

  /** The batch will not be written (stopped while the store was down): every waiter requeues. */
  settleLost(error: Error): void {
    this.outcome = { lost: error };
    for (const settler of this.settlers) settler.reject(error);
    this.settlers = [];
  }
}
