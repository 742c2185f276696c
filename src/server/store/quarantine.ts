// The quarantine: inputs the ingestion set aside with the reason, newest first, bounded so that a
// flood of bad input cannot fill the database; each entry also counts in `quarantined.<source>`.

import type { QuarantineEntry } from "../ingest/quarantine-entry";
import type { SqlClient } from "./sql-client";

/** Entries kept; older ones are deleted as new ones arrive. */
export const QUARANTINE_LIMIT = 10_000;

export interface QuarantineRow extends QuarantineEntry {
  id: string;
  /** Epoch seconds. */
  at: number;
}

/** Adds the entries, counts them per source and trims the table to its bound. */
export async function addToQuarantine(sql: SqlClient, entries: readonly QuarantineEntry[], limit = QUARANTINE_LIMIT): Promise<void> {
  if (entries.length === 0) return;
  const counts = new Map<string, number>();
  for (const entry of entries) counts.set(`quarantined.${entry.source}`, (counts.get(`quarantined.${entry.source}`) ?? 0) + 1);
  await sql.execute(
    `WITH added AS (
       INSERT INTO quarantine (source, reason, payload, size)
       SELECT x.source, x.reason, x.payload, x.size FROM jsonb_to_recordset($1::jsonb) AS x(source text, reason text, payload text, size int)),
     counted AS (
       INSERT INTO ingest_counter AS c (name, value)
       SELECT x.name, x.delta::bigint FROM jsonb_to_recordset($2::jsonb) AS x(name text, delta int) ORDER BY 1
       ON CONFLICT (name) DO UPDATE SET value = c.value + excluded.value, updated_at = now())
     DELETE FROM quarantine WHERE id <= (SELECT max(id) FROM quarantine) - $3`,
    JSON.stringify(entries),
    JSON.stringify([...counts].map(([name, delta]) => ({ name, delta }))),
    limit,
  );
}

/** The newest entries, `before` an id for the next page. */
export async function listQuarantine(sql: SqlClient, options: { limit: number; before?: string; source?: string }): Promise<QuarantineRow[]> {
  const rows = await sql.query<{ id: string; at: number; source: string; reason: string; payload: string; size: number }>(
    `SELECT id::text AS id, extract(epoch FROM at)::float8 AS at, source, reason, payload, size FROM quarantine
     WHERE ($2::bigint IS NULL OR id < $2::bigint) AND ($3::text IS NULL OR source = $3)
     ORDER BY id DESC LIMIT $1`,
    options.limit,
    options.before ?? null,
    options.source ?? null,
  );
  return rows.map((row) => ({ ...row, source: row.source as QuarantineEntry["source"] }));
}
