// Per task name over a time range: counts, failure rate and runtime / queue-wait percentiles,
// summed from the rollups' fixed histograms (so any range costs one grouped read).

import { emptyHistogram, histogramQuantile } from "./histogram";
import type { SqlClient } from "./sql-client";
import { rollupWhere, type TimeRange } from "./time-range";

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  mean: number | null;
}

export interface TaskStats {
  taskName: string;
  total: number;
  failures: number;
  failureRate: number;
  /** Seconds. */
  runtime: Percentiles;
  /** Seconds from sent to started (else received). */
  wait: Percentiles;
}

function percentiles(histogram: number[], sum: number, count: number): Percentiles {
  return { p50: histogramQuantile(histogram, 0.5), p95: histogramQuantile(histogram, 0.95), p99: histogramQuantile(histogram, 0.99), mean: count === 0 ? null : sum / count };
}

function addInto(target: number[], source: readonly number[]): void {
  source.forEach((n, i) => (target[i] = (target[i] ?? 0) + n));
}

/** Stats for every task name finished in the range, busiest first. */
export async function getTaskStats(sql: SqlClient, range: TimeRange): Promise<TaskStats[]> {
  const { where, params } = rollupWhere(range);
  const rows = await sql.query<{ taskName: string; state: string; count: number; runtimeSum: number; runtimeCount: number; runtimeHist: number[]; waitSum: number; waitCount: number; waitHist: number[] }>(
    `SELECT task_name AS "taskName", state, count, runtime_sum AS "runtimeSum", runtime_count AS "runtimeCount", runtime_hist AS "runtimeHist",
            wait_sum AS "waitSum", wait_count AS "waitCount", wait_hist AS "waitHist"
     FROM task_rollup WHERE ${where}`,
    ...params,
  );
  const byName = new Map<string, { total: number; failures: number; runtime: [number[], number, number]; wait: [number[], number, number] }>();
  for (const row of rows) {
    let entry = byName.get(row.taskName);
    if (!entry) {
      entry = { total: 0, failures: 0, runtime: [emptyHistogram(), 0, 0], wait: [emptyHistogram(), 0, 0] };
      byName.set(row.taskName, entry);
    }
    // RETRY rows count retries, not finished tasks (and carry no runtime or wait).
    if (row.state === "RETRY") continue;
    entry.total += row.count;
    if (row.state === "FAILURE") entry.failures += row.count;
    addInto(entry.runtime[0], row.runtimeHist);
    entry.runtime[1] += row.runtimeSum;
    entry.runtime[2] += row.runtimeCount;
    addInto(entry.wait[0], row.waitHist);
    entry.wait[1] += row.waitSum;
    entry.wait[2] += row.waitCount;
  }
  return [...byName.entries()]
    .map(([taskName, entry]) => ({
      taskName,
      total: entry.total,
      failures: entry.failures,
      failureRate: entry.total === 0 ? 0 : entry.failures / entry.total,
      runtime: percentiles(...entry.runtime),
      wait: percentiles(...entry.wait),
    }))
    .sort((a, b) => b.total - a.total || (a.taskName < b.taskName ? -1 : 1));
}
