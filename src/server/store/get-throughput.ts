// Finished tasks per minute by state over a time range, from the rollups (cheap at any size).

import type { SqlClient } from "./sql-client";
import { rollupWhere, type TimeRange } from "./time-range";

export interface ThroughputMinute {
  /** Epoch seconds of the minute's start. */
  minute: number;
  /** Finished tasks by ready state (SUCCESS, FAILURE, REVOKED), and RETRY: retries in that minute. */
  counts: Record<string, number>;
  total: number;
  /** FAILURE / total. */
  failureRate: number;
}

export interface Throughput {
  minutes: ThroughputMinute[];
  total: number;
  failures: number;
  failureRate: number;
}

function rate(failures: number, total: number): number {
  return total === 0 ? 0 : failures / total;
}

/** Minutes with at least one finished task, oldest first, and the range's totals. */
export async function getThroughput(sql: SqlClient, range: TimeRange): Promise<Throughput> {
  const { where, params } = rollupWhere(range);
  const rows = await sql.query<{ minute: number; state: string; count: number }>(
    `SELECT extract(epoch from minute)::float8 AS minute, state, sum(count)::float8 AS count FROM task_rollup WHERE ${where} GROUP BY 1, 2 ORDER BY 1`,
    ...params,
  );
  const minutes = new Map<number, ThroughputMinute>();
  for (const row of rows) {
    let minute = minutes.get(row.minute);
    if (!minute) {
      minute = { minute: row.minute, counts: {}, total: 0, failureRate: 0 };
      minutes.set(row.minute, minute);
    }
    minute.counts[row.state] = row.count;
    // RETRY rows count retries, not finished tasks.
    if (row.state !== "RETRY") minute.total += row.count;
  }
  let total = 0;
  let failures = 0;
  for (const minute of minutes.values()) {
    minute.failureRate = rate(minute.counts.FAILURE ?? 0, minute.total);
    total += minute.total;
    failures += minute.counts.FAILURE ?? 0;
  }
  return { minutes: [...minutes.values()], total, failures, failureRate: rate(failures, total) };
}
