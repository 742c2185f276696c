// The store as the rest of the server uses it: HistoryWriter and HistoryReader for the sources,
// the dashboard's reads, counters and retention, each guarded so a lost database connection
// surfaces as StoreUnavailable.

import type { PrismaClient } from "@prisma/client";
import type { HistoryReader, HistoryWriter, IngestBatch, QueueSample } from "../ingest/observation";
import { applyBatch } from "./apply-batch";
import { enforceRetention, type RetentionPolicy, type RetentionResult } from "./enforce-retention";
import { getCounters } from "./get-counters";
import { getQueueStats, type QueueStats } from "./get-queue-stats";
import { getTask, type TaskDetail } from "./get-task";
import { getTaskStats, type TaskStats } from "./get-task-stats";
import { getThroughput, type Throughput } from "./get-throughput";
import { getWorkflow, type Workflow } from "./get-workflow";
import { incrementCounters } from "./increment-counters";
import { listRecentRootIds } from "./list-recent-root-ids";
import { listTasks, type ListTasksQuery, type TaskPage } from "./list-tasks";
import { listUnfinishedTaskIds } from "./list-unfinished-task-ids";
import { listWorkers, type WorkerSummary } from "./list-workers";
import { recordQueueSamples } from "./record-queue-samples";
import { guardConnection } from "./store-unavailable";
import type { TimeRange } from "./time-range";

/** An open store; obtain one with openStore(url). */
export class Store implements HistoryWriter, HistoryReader {
  constructor(
    /** The Prisma client: for code inside src/server/store only. */
    readonly prisma: PrismaClient,
    /** The store's URL without password, for messages. */
    readonly where: string,
    private readonly closeDriver: () => Promise<void>,
  ) {}

  private guard<T>(work: () => Promise<T>): Promise<T> {
    return guardConnection(this.where, work);
  }

  applyBatch(batch: IngestBatch): Promise<void> {
    return this.guard(() => applyBatch(this.prisma, batch));
  }

  recordQueueSamples(samples: QueueSample[]): Promise<void> {
    return this.guard(() => recordQueueSamples(this.prisma, samples));
  }

  unfinishedTaskIds(options: { olderThan: number; limit: number }): Promise<string[]> {
    return this.guard(() => listUnfinishedTaskIds(this.prisma, options));
  }

  recentRootIds(options: { since: number; limit: number }): Promise<string[]> {
    return this.guard(() => listRecentRootIds(this.prisma, options));
  }

  incrementCounters(deltas: Readonly<Record<string, number>>): Promise<void> {
    return this.guard(() => incrementCounters(this.prisma, deltas));
  }

  getCounters(): Promise<Record<string, number>> {
    return this.guard(() => getCounters(this.prisma));
  }

  getTask(id: string): Promise<TaskDetail | null> {
    return this.guard(() => getTask(this.prisma, id));
  }

  listTasks(query: ListTasksQuery = {}): Promise<TaskPage> {
    return this.guard(() => listTasks(this.prisma, query));
  }

  getWorkflow(rootId: string): Promise<Workflow> {
    return this.guard(() => getWorkflow(this.prisma, rootId));
  }

  listWorkers(now?: number): Promise<WorkerSummary[]> {
    return this.guard(() => listWorkers(this.prisma, now));
  }

  getThroughput(range: TimeRange): Promise<Throughput> {
    return this.guard(() => getThroughput(this.prisma, range));
  }

  getTaskStats(range: TimeRange): Promise<TaskStats[]> {
    return this.guard(() => getTaskStats(this.prisma, range));
  }

  getQueueStats(now?: number): Promise<QueueStats[]> {
    return this.guard(() => getQueueStats(this.prisma, now));
  }

  enforceRetention(policy: RetentionPolicy, now?: number): Promise<RetentionResult> {
    return this.guard(() => enforceRetention(this.prisma, policy, now));
  }

  /** Closes the connections (PGlite: flushes and closes the database). */
  close(): Promise<void> {
    return this.closeDriver();
  }
}
