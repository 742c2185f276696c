// HistoryReader.recentRootIds: workflows with activity since a moment, most recent first.

import type { SqlClient } from "./sql-client";

/** Root ids of workflows whose tasks changed since `since` (epoch seconds). */
export async function listRecentRootIds(sql: SqlClient, options: { since: number; limit: number }): Promise<string[]> {
  const rows = await sql.query<{ rootId: string }>(
    `SELECT root_id AS "rootId" FROM task WHERE updated_at >= to_timestamp($1::float8) AND root_id IS NOT NULL
     GROUP BY root_id ORDER BY max(updated_at) DESC LIMIT $2::int`,
    options.since,
    options.limit,
  );
  return rows.map((row) => row.rootId);
}
