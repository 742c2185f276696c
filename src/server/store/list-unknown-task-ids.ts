// HistoryReader.unknownTaskIds: which of the ids the reconciler found in the result backend the
// store has never heard of (tasks whose whole life fell while nobody was ingesting).

import type { SqlClient } from "./sql-client";

/** The ids of `ids` that have no task row, in the order given. */
export async function listUnknownTaskIds(sql: SqlClient, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await sql.query<{ id: string }>(
    `SELECT x.id FROM unnest($1::text[]) WITH ORDINALITY AS x(id, n) WHERE NOT EXISTS (SELECT 1 FROM task t WHERE t.id = x.id) ORDER BY x.n`,
    ids,
  );
  return rows.map((row) => row.id);
}
