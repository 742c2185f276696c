// Retention: forgets tasks older than the age limit or beyond the count limit (with their edges
// and emptied groups), and old rollups and queue samples, in bounded chunks, each its own short
// transaction, so a periodic call never holds long locks against the ingestor.

import { z } from "zod";
import type { SqlClient, SqlDatabase } from "./sql-client";

export const retentionPolicy = z.object({
  /** Tasks whose first known time is older than this are deleted. */
  maxAgeSeconds: z.number().positive().optional(),
  /** Only the newest this many tasks are kept. */
  maxTasks: z.number().int().positive().optional(),
  /** Rollup minutes older than this are deleted (default: maxAgeSeconds). */
  rollupMaxAgeSeconds: z.number().positive().optional(),
  /** Queue samples older than this are deleted (default: maxAgeSeconds). */
  sampleMaxAgeSeconds: z.number().positive().optional(),
  /** Rows per delete statement. */
  chunkSize: z.number().int().positive().default(5000),
  /** Chunks per table per call; the rest waits for the next call (`more` says so). */
  maxChunks: z.number().int().positive().default(20),
});

export type RetentionPolicy = z.input<typeof retentionPolicy>;

export interface RetentionResult {
  tasks: number;
  rollups: number;
  samples: number;
  /** True when a limit was still exceeded after maxChunks: call again. */
  more: boolean;
}

/** The (first_at, id) at and below which tasks exceed the count limit, or null when within it. */
async function countCutoff(sql: SqlClient, maxTasks: number): Promise<{ at: string; id: string } | null> {
  const [row] = await sql.query<{ at: string; id: string }>(
    `SELECT first_at::text AS at, id FROM task ORDER BY first_at DESC, id DESC OFFSET $1::int LIMIT 1`,
    maxTasks,
  );
  return row ?? null;
}

async function deleteTaskChunk(db: SqlDatabase, condition: string, params: unknown[], chunk: number): Promise<number> {
  return db.transaction(async (tx) => {
    const deleted = await tx.query<{ id: string; root_id: string | null }>(
      `DELETE FROM task WHERE id IN (SELECT id FROM task WHERE ${condition} ORDER BY first_at, id LIMIT ${chunk}) RETURNING id, root_id`,
      ...params,
    );
    if (deleted.length === 0) return 0;
    const ids = deleted.map((row) => row.id);
    const roots = [...new Set(deleted.map((row) => row.root_id ?? row.id))];
    await tx.execute(`DELETE FROM workflow_edge WHERE from_id = ANY($1::text[]) OR to_id = ANY($1::text[])`, ids);
    // What is left of workflows none of whose tasks remain (group-to-group edges, the groups).
    for (const table of ["workflow_edge", "task_group"]) {
      await tx.execute(`DELETE FROM ${table} x WHERE x.root_id = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM task t WHERE t.root_id = x.root_id)`, roots);
    }
    return deleted.length;
  });
}

async function deleteOld(sql: SqlClient, table: string, column: string, cutoff: number, chunk: number, maxChunks: number): Promise<[number, boolean]> {
  let total = 0;
  for (let i = 0; i < maxChunks; i++) {
    const n = await sql.execute(`DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${column} < to_timestamp($1::float8) LIMIT ${chunk})`, cutoff);
    total += n;
    if (n < chunk) return [total, false];
  }
  return [total, true];
}

/** Applies the policy once; `now` is epoch seconds. */
export async function enforceRetention(db: SqlDatabase, input: RetentionPolicy, now = Date.now() / 1000): Promise<RetentionResult> {
  const policy = retentionPolicy.parse(input);
  const result: RetentionResult = { tasks: 0, rollups: 0, samples: 0, more: false };

  const conditions: string[] = [];
  const params: unknown[] = [];
  if (policy.maxAgeSeconds !== undefined) conditions.push(`first_at < to_timestamp($${params.push(now - policy.maxAgeSeconds)}::float8)`);
  if (policy.maxTasks !== undefined) {
    const cutoff = await countCutoff(db, policy.maxTasks);
    if (cutoff) conditions.push(`(first_at, id) <= ($${params.push(cutoff.at)}::timestamptz, $${params.push(cutoff.id)})`);
  }
  if (conditions.length > 0) {
    for (let i = 0; i < policy.maxChunks; i++) {
      const n = await deleteTaskChunk(db, conditions.join(" OR "), params, policy.chunkSize);
      result.tasks += n;
      if (n < policy.chunkSize) break;
      if (i === policy.maxChunks - 1) result.more = true;
    }
  }

  const rollupAge = policy.rollupMaxAgeSeconds ?? policy.maxAgeSeconds;
  if (rollupAge !== undefined) {
    const [n, more] = await deleteOld(db, "task_rollup", "minute", now - rollupAge, policy.chunkSize, policy.maxChunks);
    result.rollups = n;
    result.more ||= more;
  }
  const sampleAge = policy.sampleMaxAgeSeconds ?? policy.maxAgeSeconds;
  if (sampleAge !== undefined) {
    const [n, more] = await deleteOld(db, "queue_sample", "at", now - sampleAge, policy.chunkSize, policy.maxChunks);
    result.samples = n;
    result.more ||= more;
  }
  return result;
}
