// Counts tasks that just reached a ready state, and retries new to the timeline, into the
// per-minute rollups: one row per minute × task name × queue × worker × state, with runtime and
// queue-wait histograms.

import { emptyHistogram, histogramBucket } from "./histogram";
import type { BatchStatement } from "./batch-statement";
import type { TaskRecord } from "./task-record";

interface RollupRow {
  minute: number;
  taskName: string;
  queue: string;
  worker: string;
  state: string;
  count: number;
  runtimeSum: number;
  runtimeCount: number;
  runtimeHist: number[];
  waitSum: number;
  waitCount: number;
  waitHist: number[];
}

/** Seconds from being sent to being picked up (started, else received), when both are known. */
export function queueWait(task: Pick<TaskRecord, "sentAt" | "startedAt" | "receivedAt">): number | undefined {
  const picked = task.startedAt ?? task.receivedAt;
  if (task.sentAt === undefined || picked === undefined) return undefined;
  return Math.max(0, picked - task.sentAt);
}

function rollupRows(tasks: readonly TaskRecord[], now: number): RollupRow[] {
  const rows = new Map<string, RollupRow>();
  for (const task of tasks) {
    const minute = Math.floor((task.finishedAt ?? task.stateAt ?? now) / 60) * 60;
    const key = [minute, task.name ?? "", task.queue ?? "", task.worker ?? "", task.state].join("\u0000");
    let row = rows.get(key);
    if (!row) {
      row = { minute, taskName: task.name ?? "", queue: task.queue ?? "", worker: task.worker ?? "", state: task.state, count: 0, runtimeSum: 0, runtimeCount: 0, runtimeHist: emptyHistogram(), waitSum: 0, waitCount: 0, waitHist: emptyHistogram() };
      rows.set(key, row);
    }
    row.count++;
    if (task.runtime !== undefined) {
      row.runtimeSum += task.runtime;
      row.runtimeCount++;
      row.runtimeHist[histogramBucket(task.runtime)]!++;
    }
    const wait = queueWait(task);
    if (wait !== undefined) {
      row.waitSum += wait;
      row.waitCount++;
      row.waitHist[histogramBucket(wait)]!++;
    }
  }
  // Key order: concurrent writers touch rollup rows in the same order and cannot deadlock.
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

// Element-wise sum of two equally long int arrays.
const addArrays = (a: string, b: string) => `ARRAY(SELECT u.x + u.y FROM unnest(${a}, ${b}) WITH ORDINALITY AS u(x, y, i) ORDER BY u.i)`;

/** Adds counting the tasks into the rollups to the batch statement (each task once: see readTasks). */
export function addRollups(statement: BatchStatement, tasks: readonly TaskRecord[], now: number): void {
  if (tasks.length === 0) return;
  // Histograms travel as array literals ("{0,3,1,…}"): a text → int[] cast is far cheaper than
  // unpacking JSON arrays element by element.
  const rows = rollupRows(tasks, now).map((row) => ({ ...row, runtimeHist: `{${row.runtimeHist.join(",")}}`, waitHist: `{${row.waitHist.join(",")}}` }));
  statement.add(
    "rollups",
    `INSERT INTO task_rollup AS r (minute, task_name, queue, worker, state, count, runtime_sum, runtime_count, runtime_hist, wait_sum, wait_count, wait_hist)
     SELECT to_timestamp(x.minute), x."taskName", x.queue, x.worker, x.state, x.count, x."runtimeSum", x."runtimeCount",
            x."runtimeHist"::int[], x."waitSum", x."waitCount", x."waitHist"::int[]
     FROM jsonb_to_recordset(${statement.param(JSON.stringify(rows))}::jsonb) AS x(minute float8, "taskName" text, queue text, worker text, state text, count int,
          "runtimeSum" float8, "runtimeCount" int, "runtimeHist" text, "waitSum" float8, "waitCount" int, "waitHist" text)
     ON CONFLICT (minute, task_name, queue, worker, state) DO UPDATE SET
       count = r.count + excluded.count,
       runtime_sum = r.runtime_sum + excluded.runtime_sum,
       runtime_count = r.runtime_count + excluded.runtime_count,
       runtime_hist = ${addArrays("r.runtime_hist", "excluded.runtime_hist")},
       wait_sum = r.wait_sum + excluded.wait_sum,
       wait_count = r.wait_count + excluded.wait_count,
       wait_hist = ${addArrays("r.wait_hist", "excluded.wait_hist")}`,
  );
}
