// The store as the rest of the server uses it: HistoryWriter and HistoryReader for the sources,
// the dashboard's reads, counters and retention, each guarded so a lost database connection
// surfaces as StoreUnavailable.

import type { Prisma, PrismaClient } from "@prisma/client";
import type { Role } from "../auth/roles";
import type { HistoryReader, HistoryWriter, IngestBatch, QueueSample, WorkerDetails, WorkerDetailsWriter } from "../ingest/observation";
import { applyBatch } from "./apply-batch";
import { enforceRetention, type RetentionPolicy, type RetentionResult } from "./enforce-retention";
import { type ChangeMark, getChangeMark } from "./get-change-mark";
import { getCounters } from "./get-counters";
import { getQueueStats, type QueueStats } from "./get-queue-stats";
import { getTask, type TaskDetail } from "./get-task";
import { getTaskStats, type TaskStats } from "./get-task-stats";
import { getThroughput, type Throughput } from "./get-throughput";
import { getWorkflow, type Workflow } from "./get-workflow";
import { incrementCounters } from "./increment-counters";
import { type GroupMembers, listGroupMembers } from "./list-group-members";
import { listRecentRootIds } from "./list-recent-root-ids";
import { listTasks, type ListTasksQuery, type TaskPage } from "./list-tasks";
import { listUnfinishedTaskIds } from "./list-unfinished-task-ids";
import { listUnknownTaskIds } from "./list-unknown-task-ids";
import { listWorkers, type WorkerSummary } from "./list-workers";
import { recordQueueSamples } from "./record-queue-samples";
import { recordWorkerDetails } from "./record-worker-details";
import { addToQuarantine, listQuarantine, type QuarantineRow } from "./quarantine";
import type { QuarantineEntry, QuarantineSink } from "../ingest/quarantine-entry";
import { type AuditEntry, type NewAuditEntry, beginAudit, finishAudit, listAudit } from "./audit-log";
import { type SessionRecord, createSession, deleteSession, findSession } from "./sessions";
import type { SqlDatabase } from "./sql-client";
import { guardConnection } from "./store-unavailable";
import { type UserRecord, type UserSummary, countUsers, createUser, findUserByName, listUsers } from "./users";
import type { TimeRange } from "./time-range";

/** An open store; obtain one with openStore(url). */
export class Store implements HistoryWriter, HistoryReader, WorkerDetailsWriter, QuarantineSink {
  constructor(
    /** The Prisma client: for code inside src/server/store only. */
    readonly prisma: PrismaClient,
    /** The driver connection the hand-written SQL runs on: for code inside src/server/store only. */
    readonly sql: SqlDatabase,
    /** The store's URL without password, for messages. */
    readonly where: string,
    private readonly closeDriver: () => Promise<void>,
  ) {}

  private guard<T>(work: () => Promise<T>): Promise<T> {
    return guardConnection(this.where, work);
  }

  applyBatch(batch: IngestBatch): Promise<void> {
    return this.guard(() => applyBatch(this.sql, batch));
  }

  recordQueueSamples(samples: QueueSample[]): Promise<void> {
    return this.guard(() => recordQueueSamples(this.sql, samples));
  }

  /** Keeps inputs the ingestion set aside (callers redact them first), bounded; counts them. */
  quarantine(entries: QuarantineEntry[]): Promise<void> {
    return this.guard(() => addToQuarantine(this.sql, entries));
  }

  /** Quarantined inputs, newest first. */
  listQuarantine(options: { limit: number; before?: string; source?: string }): Promise<QuarantineRow[]> {
    return this.guard(() => listQuarantine(this.sql, options));
  }

  recordWorkerDetails(details: WorkerDetails[]): Promise<void> {
    return this.guard(() => recordWorkerDetails(this.sql, details));
  }

  unfinishedTaskIds(options: { olderThan: number; limit: number }): Promise<string[]> {
    return this.guard(() => listUnfinishedTaskIds(this.sql, options));
  }

  unknownTaskIds(ids: readonly string[]): Promise<string[]> {
    return this.guard(() => listUnknownTaskIds(this.sql, ids));
  }

  recentRootIds(options: { since: number; limit: number }): Promise<string[]> {
    return this.guard(() => listRecentRootIds(this.sql, options));
  }

  incrementCounters(deltas: Readonly<Record<string, number>>): Promise<void> {
    return this.guard(() => incrementCounters(this.sql, deltas));
  }

  /** Fingerprints of what the pages show, one per kind of data. */
  changeMark(): Promise<ChangeMark> {
    return this.guard(() => getChangeMark(this.sql));
  }

  getCounters(): Promise<Record<string, number>> {
    return this.guard(() => getCounters(this.sql));
  }

  getTask(id: string): Promise<TaskDetail | null> {
    return this.guard(() => getTask(this.sql, id));
  }

  listTasks(query: ListTasksQuery = {}): Promise<TaskPage> {
    return this.guard(() => listTasks(this.sql, query));
  }

  getWorkflow(rootId: string): Promise<Workflow> {
    return this.guard(() => getWorkflow(this.sql, rootId));
  }

  /** A group's members first seen within the window (epoch seconds), and its recorded size. */
  listGroupMembers(groupId: string, window: { from: number; to: number }): Promise<GroupMembers> {
    return this.guard(() => listGroupMembers(this.sql, groupId, window));
  }

  listWorkers(now?: number): Promise<WorkerSummary[]> {
    return this.guard(() => listWorkers(this.sql, now));
  }

  getThroughput(range: TimeRange): Promise<Throughput> {
    return this.guard(() => getThroughput(this.sql, range));
  }

  getTaskStats(range: TimeRange): Promise<TaskStats[]> {
    return this.guard(() => getTaskStats(this.sql, range));
  }

  getQueueStats(now?: number): Promise<QueueStats[]> {
    return this.guard(() => getQueueStats(this.sql, now));
  }

  enforceRetention(policy: RetentionPolicy, now?: number): Promise<RetentionResult> {
    return this.guard(() => enforceRetention(this.sql, policy, now));
  }

  countUsers(): Promise<number> {
    return this.guard(() => countUsers(this.prisma));
  }

  /** Resolves to null when the name is taken. */
  createUser(user: { name: string; role: Role; passwordHash: string }): Promise<UserSummary | null> {
    return this.guard(() => createUser(this.prisma, user));
  }

  findUserByName(name: string): Promise<UserRecord | null> {
    return this.guard(() => findUserByName(this.prisma, name));
  }

  listUsers(): Promise<UserSummary[]> {
    return this.guard(() => listUsers(this.prisma));
  }

  createSession(session: { id: string; userId: string; csrfToken: string; expiresAt: Date }): Promise<void> {
    return this.guard(() => createSession(this.prisma, session));
  }

  findSession(id: string): Promise<SessionRecord | null> {
    return this.guard(() => findSession(this.prisma, id));
  }

  deleteSession(id: string): Promise<void> {
    return this.guard(() => deleteSession(this.prisma, id));
  }

  beginAudit(entry: NewAuditEntry): Promise<{ entry: AuditEntry; duplicate: boolean }> {
    return this.guard(() => beginAudit(this.prisma, entry));
  }

  finishAudit(id: string, outcome: { result?: Prisma.InputJsonValue; error?: string }): Promise<void> {
    return this.guard(() => finishAudit(this.prisma, id, outcome));
  }

  listAudit(options: { limit: number; before?: string; actor?: string; action?: string }): Promise<AuditEntry[]> {
    return this.guard(() => listAudit(this.prisma, options));
  }

  /** Closes the connections (PGlite: flushes and closes the database). */
  close(): Promise<void> {
    return this.closeDriver();
  }
}
