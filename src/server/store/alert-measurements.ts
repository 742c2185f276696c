// What the alert rules measure that the store's other reads do not give: outcomes and runtime
// histograms per task name over any window (one grouped read of the per-minute rollups each, so
// the cost does not grow with the number of tasks), the newest failed task of a name (the page a
// notification links to) and the newest heartbeat of an online worker (ingestion lag).

import { FAILURE } from "../../celery/index";
import { emptyHistogram } from "./histogram";
import type { SqlClient } from "./sql-client";

export interface TaskOutcomes {
  taskName: string;
  /** Tasks that reached a ready state (retries are not counted). */
  finished: number;
  failures: number;
}

/** The start of the rollup minute holding `since`: a window covers the minutes it touches. */
const minuteOf = (since: number) => Math.floor(since / 60) * 60;

/** Finished and failed tasks per name, from the rollup minute holding `since` (epoch seconds) on. */
export async function taskOutcomes(sql: SqlClient, since: number): Promise<TaskOutcomes[]> {
  return sql.query<TaskOutcomes>(
    `SELECT task_name AS "taskName", coalesce(sum(count) FILTER (WHERE state <> 'RETRY'), 0)::float8 AS finished,
       coalesce(sum(count) FILTER (WHERE state = '${FAILURE}'), 0)::float8 AS failures
     FROM task_rollup WHERE minute >= to_timestamp($1::float8) GROUP BY task_name`,
    minuteOf(since),
  );
}

/** The runtime histogram (src/server/store/histogram.ts buckets) per task name since `since`. */
export async function runtimeHistograms(sql: SqlClient, since: number): Promise<Map<string, number[]>> {
  const rows = await sql.query<{ taskName: string; bucket: number; n: number }>(
    `SELECT task_name AS "taskName", (u.i - 1)::int AS bucket, sum(u.x)::float8 AS n
     FROM task_rollup, unnest(runtime_hist) WITH ORDINALITY AS u(x, i)
     WHERE minute >= to_timestamp($1::float8) AND state <> 'RETRY' AND u.x > 0 GROUP BY 1, 2`,
    minuteOf(since),
  );
  const histograms = new Map<string, number[]>();
  for (const row of rows) {
    let histogram = histograms.get(row.taskName);
    if (!histogram) histograms.set(row.taskName, (histogram = emptyHistogram()));
    histogram[row.bucket] = row.n;
  }
  return histograms;
}

/** The newest task of the name in FAILURE first seen after `since`, with its exception, or null. */
export async function newestFailedTask(sql: SqlClient, taskName: string, since: number): Promise<{ id: string; exception: string | null } | null> {
  const [row] = await sql.query<{ id: string; exception: string | null }>(
    `SELECT id, exception FROM task WHERE name = $1 AND state = '${FAILURE}' AND first_at >= to_timestamp($2::float8) ORDER BY first_at DESC LIMIT 1`,
    taskName,
    since,
  );
  return row ?? null;
}

/** Epoch seconds of the newest heartbeat held for a worker reported online, or null when none is. */
export async function newestOnlineHeartbeat(sql: SqlClient): Promise<number | null> {
  const [row] = await sql.query<{ at: number | null }>(`SELECT extract(epoch from max(last_heartbeat))::float8 AS at FROM worker WHERE status = 'online'`);
  return row?.at ?? null;
}
