// HistoryReader.unfinishedTaskIds: tasks not in a ready state and quiet since `olderThan`, which
// the reconciler asks the result backend about.

import { READY_STATES } from "../../celery/index";
import type { SqlClient } from "./sql-client";

const READY = [...READY_STATES].map((state) => `'${state}'`).join(", ");

/**
 * Ids of tasks whose state is not ready (PLANNED, PENDING, RECEIVED, STARTED, RETRY, custom …)
 * and whose state dates from before `olderThan` (epoch seconds), oldest first.
 */
export async function listUnfinishedTaskIds(sql: SqlClient, options: { olderThan: number; limit: number }): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    `SELECT id FROM task WHERE state NOT IN (${READY}) AND COALESCE(state_at, first_at) < to_timestamp($1::float8)
     ORDER BY first_at, id LIMIT $2::int`,
    options.olderThan,
    options.limit,
  );
  return rows.map((row) => row.id);
}
