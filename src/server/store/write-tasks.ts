// Merges a batch's task observations into the task table: lock and read the rows that exist,
// fold every observation in memory with mergeTask, write each task once (INSERT the new ones,
// UPDATE the rest), so the hot path is three statements per batch whatever its size.

import type { TaskObservation } from "../ingest/observation";
import { isReady, mergeTask } from "./merge-task";
import type { SqlClient } from "./sql-client";
import { assignTaskColumns, insertTaskColumns, selectTaskColumns, type TaskRecord, taskFromRow, taskRecordset } from "./task-record";

const INSERT = insertTaskColumns("x");

/**
 * Merges and writes the observations of `ids`; returns the newly ready tasks and the ids whose
 * INSERT lost a race with a concurrent writer (they exist now: merge them again).
 */
async function writeOnce(sql: SqlClient, ids: string[], byId: Map<string, TaskObservation[]>, now: number): Promise<{ newlyReady: TaskRecord[]; raced: string[] }> {
  // Sorted ids: concurrent writers lock rows in the same order and cannot deadlock.
  const rows = await sql.query(`SELECT ${selectTaskColumns("t")} FROM task t WHERE t.id = ANY($1::text[]) ORDER BY t.id FOR UPDATE`, ids);
  const existing = new Map(rows.map((row) => [row.id as string, taskFromRow(row)]));

  const created: TaskRecord[] = [];
  const updated: TaskRecord[] = [];
  const newlyReady: TaskRecord[] = [];
  for (const id of ids) {
    const before = existing.get(id);
    let record = before;
    for (const observation of byId.get(id) ?? []) record = mergeTask(record, observation, now);
    if (!record) continue;
    if (isReady(record) && !record.rolledUp) {
      record.rolledUp = true;
      newlyReady.push(record);
    }
    (before ? updated : created).push(record);
  }

  let raced: string[] = [];
  if (created.length > 0) {
    // `created` is in id order already (lock order). A row another transaction inserted since our
    // SELECT is left alone here and merged again.
    const inserted = await sql.query<{ id: string }>(
      `INSERT INTO task (${INSERT.columns}) SELECT ${INSERT.values} FROM ${taskRecordset("$1", "x")} ON CONFLICT (id) DO NOTHING RETURNING id`,
      JSON.stringify(created),
    );
    if (inserted.length < created.length) {
      const done = new Set(inserted.map((row) => row.id));
      raced = created.filter((record) => !done.has(record.id)).map((record) => record.id);
    }
  }
  if (updated.length > 0) {
    await sql.execute(`UPDATE task SET ${assignTaskColumns("x")}, updated_at = now() FROM ${taskRecordset("$1", "x")} WHERE task.id = x.id`, JSON.stringify(updated));
  }
  const lost = new Set(raced);
  return { newlyReady: newlyReady.filter((record) => !lost.has(record.id)), raced };
}

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
  const newlyReady: TaskRecord[] = [];
  let ids = [...byId.keys()].sort();
  while (ids.length > 0) {
    const round = await writeOnce(sql, ids, byId, now);
    newlyReady.push(...round.newlyReady);
    ids = round.raced;
  }
  return newlyReady;
}
