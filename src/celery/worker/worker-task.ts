// A task as the worker runs it: the implementation plus the execution options Celery keeps on the Task class; mirrors the worker-facing attributes of celery.app.task.Task.

import type { TaskContext } from "./task-context";

/** An error class, or a predicate, that selects errors for automatic retry (Celery's autoretry_for tuple). */
export type ErrorMatcher = (abstract new (...args: never[]) => Error) | ((error: unknown) => boolean);

/**
 * Worker-side options of a task, camelCase versions of Celery's task attributes, with Celery's
 * defaults: maxRetries 3, defaultRetryDelay 180 s, retryBackoff false, retryBackoffMax 600 s,
 * retryJitter true, acksLate/trackStarted from the worker.
 */
export interface WorkerTaskOptions {
  acksLate?: boolean;
  /** With acksLate: ack a failed or timed-out task too (Celery's acks_on_failure_or_timeout, default true). */
  acksOnFailureOrTimeout?: boolean;
  trackStarted?: boolean;
  ignoreResult?: boolean;
  maxRetries?: number | null;
  defaultRetryDelay?: number;
  autoretryFor?: ErrorMatcher[];
  /** Options passed to the automatic retry (Celery's retry_kwargs). */
  retryKwargs?: { countdown?: number; maxRetries?: number | null };
  /** true = factor 1; a number is the factor (seconds). */
  retryBackoff?: boolean | number;
  retryBackoffMax?: number;
  retryJitter?: boolean;
  /** Seconds; the task's AbortSignal fires with SoftTimeLimitExceeded. */
  softTimeLimit?: number | null;
  /** Seconds; the task is failed with TimeLimitExceeded. */
  timeLimit?: number | null;
  /** "10/s", "100/m", "5/h" or a number per second. */
  rateLimit?: string | number | null;
  /** Send task events for this task (default true). */
  sendEvents?: boolean;
}

/**
 * What the worker executes: `run(ctx, ...args, kwargs)`. Positional arguments arrive as they
 * were sent; keyword arguments, when any were sent, as a final object. A task whose `errback`
 * flag is set is called in-process with `(request, exc, traceback, ...args)` when used as a
 * link_error, like Celery's new-style errbacks.
 */
export interface WorkerTask extends WorkerTaskOptions {
  name: string;
  run(ctx: TaskContext, args: unknown[], kwargs: Record<string, unknown>): unknown;
  errback?: boolean;
}
