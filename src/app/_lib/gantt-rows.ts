// The workflow's timeline view as data: one row per task that has a time, with its waiting
// (sent → started) and running (started → finished) spans on a shared time axis, plus the
// virtual-scrolling window so 10,000 rows cost what the visible few cost.

export interface GanttTaskInput {
  id: string;
  name?: string;
  state: string;
  sentAt?: number;
  startedAt?: number;
  finishedAt?: number;
}

export interface GanttRow<T> {
  task: T;
  /** Epoch seconds; a missing end is "still going" and runs to the axis end. */
  waitFrom?: number;
  runFrom?: number;
  runTo?: number;
  /** The span is open (not finished yet). */
  open: boolean;
}

export interface GanttData<T> {
  rows: GanttRow<T>[];
  /** Axis bounds in epoch seconds (start < end, even for a single instant). */
  start: number;
  end: number;
  /** Tasks without any time (PLANNED steps): not on the chart. */
  untimed: number;
}

/** Rows sorted by first time, on an axis from the first time to the last (or `now` if open). */
export function ganttRows<T extends GanttTaskInput>(tasks: readonly T[], now: number): GanttData<T> {
  const rows: GanttRow<T>[] = [];
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  let untimed = 0;
  for (const task of tasks) {
    const first = task.sentAt ?? task.startedAt ?? task.finishedAt;
    if (first === undefined) {
      untimed++;
      continue;
    }
    const finished = task.finishedAt !== undefined;
    rows.push({ task, open: !finished, waitFrom: task.sentAt, runFrom: task.startedAt, runTo: task.finishedAt });
    start = Math.min(start, first);
    // An unfinished task's bar runs to now.
    end = Math.max(end, task.finishedAt ?? task.startedAt ?? first, finished ? first : now);
  }
  rows.sort((a, b) => rowStart(a) - rowStart(b) || (a.task.id < b.task.id ? -1 : 1));
  if (rows.length === 0) return { rows, start: now - 1, end: now, untimed };
  if (end <= start) end = start + 0.001;
  return { rows, start, end, untimed };
}

function rowStart(row: GanttRow<unknown>): number {
  return row.waitFrom ?? row.runFrom ?? row.runTo ?? 0;
}

/** Which rows of a fixed-height list are visible in a viewport, with `overscan` rows either side. */
export function visibleRowRange(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan = 10): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(rowCount, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { first, last };
}
