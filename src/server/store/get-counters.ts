// Reads the ingest counters.

import type { SqlClient } from "./sql-client";

/** Every counter by name. */
export async function getCounters(sql: SqlClient): Promise<Record<string, number>> {
  const rows = await sql.query<{ name: string; value: number }>(`SELECT name, value::float8 AS value FROM ingest_counter ORDER BY name`);
  return Object.fromEntries(rows.map((row) => [row.name, row.value]));
}
