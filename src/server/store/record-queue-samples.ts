// HistoryWriter.recordQueueSamples: appends queue depth samples.

import type { QueueSample } from "../ingest/observation";
import type { SqlClient } from "./sql-client";

/** Appends the samples in one statement. */
export async function recordQueueSamples(sql: SqlClient, samples: readonly QueueSample[]): Promise<void> {
  if (samples.length === 0) return;
  await sql.execute(
    `INSERT INTO queue_sample (broker, queue, at, depth, consumers)
     SELECT x.broker, x.queue, to_timestamp(x.at), x.depth, x.consumers
     FROM jsonb_to_recordset($1::jsonb) AS x(broker text, queue text, at float8, depth int, consumers int)`,
    JSON.stringify(samples),
  );
}
