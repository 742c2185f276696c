// WorkerDetailsWriter.recordWorkerDetails: what inspect replies say of each worker (pool size,
// prefetch, queues). A worker that answered is running even if it sends no events, so an unknown
// one is added as online; its heartbeat fields stay the events' alone.

import type { WorkerDetails } from "../ingest/observation";
import type { SqlClient } from "./sql-client";

/** Upserts every worker's details in one statement; a field the reply lacked keeps its stored value. */
export async function recordWorkerDetails(sql: SqlClient, details: readonly WorkerDetails[]): Promise<void> {
  if (details.length === 0) return;
  await sql.execute(
    `INSERT INTO worker AS w (hostname, status, pool_size, prefetch_count, queues, inspected_at, first_seen, last_seen)
     SELECT x.hostname, 'online', x."poolSize", x."prefetchCount",
            CASE WHEN x.queues IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(x.queues)) END,
            to_timestamp(x.at), to_timestamp(x.at), to_timestamp(x.at)
     FROM jsonb_to_recordset($1::jsonb) AS x(hostname text, at float8, "poolSize" int, "prefetchCount" int, queues jsonb)
     ON CONFLICT (hostname) DO UPDATE SET
       pool_size = COALESCE(excluded.pool_size, w.pool_size),
       prefetch_count = COALESCE(excluded.prefetch_count, w.prefetch_count),
       queues = COALESCE(excluded.queues, w.queues),
       inspected_at = GREATEST(w.inspected_at, excluded.inspected_at)`,
    JSON.stringify(details),
  );
}
