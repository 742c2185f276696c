// Merges a batch's task observations into the task table: lock (creating missing rows), read,
// fold every observation in memory with mergeTask, write each task back once.

import type { TaskObservation } from "../ingest/observation";
import { isReady, mergeTask } from "./merge-task";
import type { SqlClient } from "./sql-client";
import { assignTaskColumns, selectTaskColumns, type TaskRecord, taskFromRow, taskRecordset } from "./task-record";

/**
 * Applies the observations and returns the tasks that reached a ready state for the first time
 * (marked rolledUp, so a terminal event seen twice is counted once).
 */
export async function writeTasks(sql: SqlClient, observations: readonly TaskObservation[], now: number): Promise<TaskRecord[]> {
  if (observations.length === 0) return [];
  const byId = new Map<string, TaskObservation[]>();
  for (const observation of observations) {
    const list = byId.get(observation.id);
    if (list) list.push(observation);
    else byId.set(observation.id, [observation]);
  }
  // Sorted ids: concurrent writers lock rows in the same order and cannot deadlock.
  const ids = [...byId.keys()].sort();

  // Creating the missing rows first makes every id lockable, so a concurrent writer waits for
  // this transaction instead of inserting a competing row; RETURNING tells the new ones apart.
  const created = await sql.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO task (id) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT (id) DO NOTHING RETURNING id`,
    ids,
  );
  const isNew = new Set(created.map((row) => row.id));
  const existing = new Map<string, TaskRecord>();
  if (isNew.size < ids.length) {
    const rows = await sql.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT ${selectTaskColumns("t")} FROM task t WHERE t.id = ANY($1::text[]) ORDER BY t.id FOR UPDATE`,
      ids.filter((id) => !isNew.has(id)),
    );
    for (const row of rows) existing.set(row.id as string, taskFromRow(row));
  }

  const merged: TaskRecord[] = [];
  const newlyReady: TaskRecord[] = [];
  for (const id of ids) {
    let record = existing.get(id);
    for (const observation of byId.get(id) ?? []) record = mergeTask(record, observation, now);
    if (!record) continue;
    if (isReady(record) && !record.rolledUp) {
      record.rolledUp = true;
      newlyReady.push(record);
    }
    merged.push(record);
  }

  await sql.$executeRawUnsafe(
    `UPDATE task SET ${assignTaskColumns("x")}, updated_at = now() FROM ${taskRecordset("$1", "x")} WHERE task.id = x.id`,
    JSON.stringify(merged),
  );
  return newlyReady;
}
