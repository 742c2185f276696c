// Which workers have stopped sending heartbeats, and which tasks were running on them; mirrors the
// liveness rule of celery/events/state.py (Worker.alive: last heartbeat + freq × 2 is the deadline).

import type { CeleryEvent } from "../../celery/index";
import type { WorkerObservation } from "./observation";

/** A worker declared offline because its heartbeat expired. */
export interface ExpiredWorker {
  worker: WorkerObservation;
  /** Tasks it had STARTED and not finished: they may never finish (ClusterState's possiblyLost). */
  possiblyLost: string[];
}

export interface WorkerLivenessOptions {
  /** Epoch seconds. */
  now?: () => number;
  /** STARTED tasks remembered per worker, oldest forgotten first (a missed ending event must not leak). */
  maxStartedPerWorker?: number;
  /** Workers remembered, least recently heard from forgotten first. */
  maxWorkers?: number;
}

interface Liveness {
  lastSeen: number;
  /** Celery's default until the worker says otherwise. */
  freq: number;
  offline: boolean;
  started: Set<string>;
}

// HEARTBEAT_EXPIRE_WINDOW 200 %.
const EXPIRE_FACTOR = 2;
const DEFAULT_FREQ = 60;
// Events after which a task no longer runs where it was started.
const ENDS_RUN: ReadonlySet<string> = new Set(["task-succeeded", "task-failed", "task-retried", "task-revoked", "task-rejected", "task-cancelled"]);

/**
 * Follows worker heartbeats (and task events, which prove a worker alive as in Celery) and the
 * tasks each worker has STARTED, so that a worker that vanished without worker-offline (killed,
 * network cut) is still marked offline and its running tasks flagged.
 */
export class WorkerLiveness {
  private readonly workers = new Map<string, Liveness>();
  // Worker of each STARTED task, to take it off that worker when it ends.
  private readonly runningOn = new Map<string, string>();
  private readonly now: () => number;
  private readonly maxStarted: number;
  private readonly maxWorkers: number;

  constructor(options: WorkerLivenessOptions = {}) {
    this.now = options.now ?? (() => Date.now() / 1000);
    this.maxStarted = options.maxStartedPerWorker ?? 10_000;
    this.maxWorkers = options.maxWorkers ?? 5_000;
  }

  /**
   * Notes one event. Returns the tasks a worker-offline leaves possibly lost (they were STARTED
   * there), else an empty list.
   */
  observe(event: CeleryEvent): string[] {
    // task-sent is the client's, not a worker's.
    if (event.type === "task-sent") return [];
    const uuid = (event as { uuid?: unknown }).uuid;
    const isTask = event.type.startsWith("task-") && typeof uuid === "string";
    if (!isTask && !event.type.startsWith("worker-")) return [];
    const worker = this.seen(event);
    if (isTask) {
      this.track(uuid, event.type, event.hostname, worker);
      return [];
    }
    const freq = (event as { freq?: unknown }).freq;
    if (typeof freq === "number" && freq > 0) worker.freq = freq;
    if (event.type !== "worker-offline") return [];
    worker.offline = true;
    return this.takeStarted(worker);
  }

  /** Workers whose deadline passed since the last call, each marked offline once. */
  expire(now: number = this.now()): ExpiredWorker[] {
    const expired: ExpiredWorker[] = [];
    for (const [hostname, worker] of this.workers) {
      const deadline = worker.lastSeen + worker.freq * EXPIRE_FACTOR;
      if (worker.offline || now < deadline) continue;
      worker.offline = true;
      expired.push({ worker: { hostname, status: "offline", at: deadline, heartbeat: false, freq: worker.freq }, possiblyLost: this.takeStarted(worker) });
    }
    return expired;
  }

  private seen(event: CeleryEvent): Liveness {
    let worker = this.workers.get(event.hostname);
    if (worker) this.workers.delete(event.hostname);
    else worker = { lastSeen: 0, freq: DEFAULT_FREQ, offline: false, started: new Set() };
    // Map order is recency order: re-inserted on every event, the first one is the stalest.
    this.workers.set(event.hostname, worker);
    while (this.workers.size > this.maxWorkers) {
      const [stalest] = this.workers;
      this.workers.delete(stalest![0]);
      for (const id of stalest![1].started) this.runningOn.delete(id);
    }
    // Receive time where there is one (our clock, as now()); a replay only has the sender's.
    worker.lastSeen = Math.max(worker.lastSeen, event.local_received ?? event.timestamp);
    if (event.type !== "worker-offline") worker.offline = false;
    return worker;
  }

  private track(uuid: string, type: string, hostname: string, worker: Liveness): void {
    if (type === "task-started") {
      const previous = this.runningOn.get(uuid);
      if (previous !== undefined) this.workers.get(previous)?.started.delete(uuid);
      worker.started.add(uuid);
      this.runningOn.set(uuid, hostname);
      if (worker.started.size > this.maxStarted) {
        const [oldest] = worker.started;
        worker.started.delete(oldest!);
        this.runningOn.delete(oldest!);
      }
    } else if (ENDS_RUN.has(type)) {
      const on = this.runningOn.get(uuid);
      if (on !== undefined) this.workers.get(on)?.started.delete(uuid);
      this.runningOn.delete(uuid);
    }
  }

  private takeStarted(worker: Liveness): string[] {
    const ids = [...worker.started];
    for (const id of ids) this.runningOn.delete(id);
    worker.started.clear();
    return ids;
  }
}
