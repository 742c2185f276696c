// Adds to the named ingest counters (dropped, malformed, …) so losses show on the dashboard.

import type { SqlClient } from "./sql-client";

/** Adds each delta to its counter, creating counters on first use. */
export async function incrementCounters(sql: SqlClient, deltas: Readonly<Record<string, number>>): Promise<void> {
  const entries = Object.entries(deltas).filter(([, delta]) => delta !== 0).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return;
  await sql.execute(
    `INSERT INTO ingest_counter AS c (name, value)
     SELECT x.name, x.delta::bigint FROM jsonb_to_recordset($1::jsonb) AS x(name text, delta float8)
     ON CONFLICT (name) DO UPDATE SET value = c.value + excluded.value, updated_at = now()`,
    JSON.stringify(entries.map(([name, delta]) => ({ name, delta }))),
  );
}
