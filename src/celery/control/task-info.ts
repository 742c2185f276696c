// The shapes of what workers answer to inspect commands; mirrors celery/worker/control.py and celery/worker/request.py (Request.info).

/** One task as `inspect active/reserved/query_task` report it (celery.worker.request.Request.info). */
export interface TaskInfo {
  id: string;
  name: string;
  /** The positional arguments; their repr string when asked with `safe`. */
  args: unknown;
  kwargs: unknown;
  type: string;
  hostname: string;
  /** Epoch seconds the task started running; null while only reserved. */
  time_start: number | null;
  acknowledged: boolean;
  delivery_info: { exchange: string; routing_key: string; priority: number | null; redelivered: boolean | null };
  worker_pid: number | null;
}

/** One ETA/countdown task waiting in a worker (`inspect scheduled`). */
export interface ScheduledTaskInfo {
  /** ISO 8601 time the task is due. */
  eta: string;
  priority: number | null;
  request: TaskInfo;
}

/** Where `inspect query_task` found a task: `[state, info]`, state "active", "reserved" or "ready". */
export type QueriedTask = [state: string, info: TaskInfo];

/** The reply convention of control (not inspect) commands. */
export type ControlResult = { ok: string } | { error: string };
