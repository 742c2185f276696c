// Merges a batch's task observations into the task table: lock and read the rows that exist,
// fold every observation in memory with mergeTask, then write each task once (INSERT the new
// ones, UPDATE the rest) as part of the batch statement.

import type { TaskObservation } from "../ingest/observation";
import type { BatchStatement } from "./batch-statement";
import { isReady, mergeTask } from "./merge-task";
import type { SqlClient } from "./sql-client";
import { assignTaskColumns, insertTaskColumns, selectTaskColumns, type TaskRecord, taskFromRow, taskRecordset } from "./task-record";

const INSERT = insertTaskColumns("x");

/** Constraint a task INSERT violates when another transaction created the same task first. */
export const TASK_PRIMARY_KEY = "task_pkey";

export interface MergedTasks {
  created: TaskRecord[];
  updated: TaskRecord[];
  /** Tasks that reached a ready state for the first time (marked rolledUp: counted once). */
  newlyReady: TaskRecord[];
  /**
   * One entry per task-retried event new to the timeline (a retry is an occurrence, not a final
   * state: a task retried twice counts twice), dated by the event, for the RETRY rollups.
   */
  newRetries: TaskRecord[];
}

const RETRIED = "task-retried";
const retryKey = (event: { timestamp: number; hostname?: string }) => `${event.timestamp}\u0000${event.hostname ?? ""}`;

/** Locks and reads the batch's existing tasks and folds every observation into them. */
export async function mergeTasks(sql: SqlClient, observations: readonly TaskObservation[], now: number): Promise<MergedTasks> {
  const merged: MergedTasks = { created: [], updated: [], newlyReady: [], newRetries: [] };
  if (observations.length === 0) return merged;
  const byId = new Map<string, TaskObservation[]>();
  for (const observation of observations) {
    const list = byId.get(observation.id);
    if (list) list.push(observation);
    else byId.set(observation.id, [observation]);
  }
  // Sorted ids: concurrent writers lock rows in the same order and cannot deadlock.
  const ids = [...byId.keys()].sort();
  const rows = await sql.query(`SELECT ${selectTaskColumns("t")} FROM task t WHERE t.id = ANY($1::text[]) ORDER BY t.id FOR UPDATE`, ids);
  const existing = new Map(rows.map((row) => [row.id as string, taskFromRow(row)]));

  for (const id of ids) {
    const before = existing.get(id);
    let record = before;
    for (const observation of byId.get(id) ?? []) record = mergeTask(record, observation, now);
    if (!record) continue;
    // Ready again after a retry (an operator's, or a late task-retried): the new attempt's outcome
    // is a new finish, counted again.
    if (record.rolledUp && !isReady(record)) record.rolledUp = false;
    if (isReady(record) && !record.rolledUp) {
      record.rolledUp = true;
      merged.newlyReady.push(record);
    }
    const seen = new Set((before?.events ?? []).filter((event) => event.type === RETRIED).map(retryKey));
    for (const event of record.events) {
      if (event.type !== RETRIED || seen.has(retryKey(event))) continue;
      // No runtime or wait: those belong to the attempt that finishes.
      merged.newRetries.push({ ...record, state: "RETRY", finishedAt: event.timestamp, runtime: undefined, sentAt: undefined, receivedAt: undefined, startedAt: undefined });
    }
    (before ? merged.updated : merged.created).push(record);
  }
  return merged;
}

/**
 * Adds writing the merged tasks to the batch statement. A task another transaction created since
 * mergeTasks read makes the INSERT fail on TASK_PRIMARY_KEY: the batch is then run again, and
 * finds the row.
 */
export function writeTasks(statement: BatchStatement, tasks: MergedTasks): void {
  if (tasks.created.length > 0) {
    statement.add("created", `INSERT INTO task (${INSERT.columns}) SELECT ${INSERT.values} FROM ${taskRecordset(statement.param(JSON.stringify(tasks.created)), "x")}`);
  }
  if (tasks.updated.length > 0) {
    statement.add("updated", `UPDATE task SET ${assignTaskColumns("x")}, updated_at = now() FROM ${taskRecordset(statement.param(JSON.stringify(tasks.updated)), "x")} WHERE task.id = x.id`);
  }
}
