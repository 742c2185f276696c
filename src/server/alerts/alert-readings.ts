// The cluster as one evaluation sees it: each store read made at most once per evaluation (per
// window for the rollup reads), however many rules ask, so the cost of an evaluation grows with
// the number of distinct windows, not with the number of rules or of tasks.

import type { AlertStore, QueueStats, Store, TaskOutcomes, WorkerSummary } from "../store/index";

export class AlertReadings {
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly alerts: AlertStore,
    /** Epoch seconds the evaluation measures at. */
    readonly now: number,
  ) {}

  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let value = this.cache.get(key) as Promise<T> | undefined;
    if (!value) this.cache.set(key, (value = read()));
    return value;
  }

  taskOutcomes(windowSeconds: number): Promise<TaskOutcomes[]> {
    return this.once(`outcomes:${windowSeconds}`, () => this.alerts.taskOutcomes(this.now - windowSeconds));
  }

  runtimeHistograms(windowSeconds: number): Promise<Map<string, number[]>> {
    return this.once(`runtimes:${windowSeconds}`, () => this.alerts.runtimeHistograms(this.now - windowSeconds));
  }

  queues(): Promise<QueueStats[]> {
    return this.once("queues", () => this.store.getQueueStats(this.now));
  }

  workers(): Promise<WorkerSummary[]> {
    return this.once("workers", () => this.store.listWorkers(this.now));
  }

  counters(): Promise<Record<string, number>> {
    return this.once("counters", () => this.store.getCounters());
  }

  newestOnlineHeartbeat(): Promise<number | null> {
    return this.once("heartbeat", () => this.alerts.newestOnlineHeartbeat());
  }
}
