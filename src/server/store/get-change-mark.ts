// Cheap fingerprints of what the dashboard's pages show, one per kind of data: each changes
// whenever that kind is written. One indexed read each (max of an indexed column or of a small
// table), so polling them once a second costs the store next to nothing, and a page refetches
// only what a change can have touched.

import type { SqlClient } from "./sql-client";

/** What changed is found by comparing two marks field by field. */
export type ChangeMark = {
  tasks: string;
  workers: string;
  queues: string;
  audit: string;
  quarantine: string;
  counters: string;
};

export async function getChangeMark(sql: SqlClient): Promise<ChangeMark> {
  const [row] = await sql.query<Record<keyof ChangeMark, string | null>>(
    `SELECT (SELECT max(updated_at) FROM task)::text AS tasks,
            concat_ws('|', (SELECT max(last_seen) FROM worker)::text, (SELECT max(inspected_at) FROM worker)::text) AS workers,
            (SELECT max(at) FROM queue_sample)::text AS queues,
            (SELECT max(id) FROM audit_entry)::text AS audit,
            (SELECT max(id) FROM quarantine)::text AS quarantine,
            (SELECT max(updated_at) FROM ingest_counter)::text AS counters`,
  );
  return { tasks: row?.tasks ?? "", workers: row?.workers ?? "", queues: row?.queues ?? "", audit: row?.audit ?? "", quarantine: row?.quarantine ?? "", counters: row?.counters ?? "" };
}
