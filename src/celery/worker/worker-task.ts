// A task as the worker runs it: the app's implementation plus the execution options Celery keeps on the Task class; mirrors the worker-facing attributes of celery.app.task.Task.

import type { Task } from "../app/task";
import { runWithTaskContext } from "./current-task";
import type { TaskContext } from "./task-context";

/** An error class, or a predicate, that selects errors for automatic retry (Celery's autoretry_for tuple). */
export type ErrorMatcher = (abstract new (...args: never[]) => Error) | ((error: unknown) => boolean);

/**
 * Worker-side options of a task, given with the task's other options
 * (`app.task("name", fn, { acksLate: true, maxRetries: 5 })`); camelCase versions of Celery's
 * task attributes, with Celery's defaults: maxRetries 3, defaultRetryDelay 180 s, retryBackoff
 * false, retryBackoffMax 600 s, retryJitter true; acksLate and trackStarted from the worker.
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
  /**
   * Called in-process as `(request, exc, traceback, ...args)` when used as a link_error. Default:
   * when the implementation declares more than one parameter, as Celery's arity check.
   */
  errback?: boolean;
}

/** Whether one of a task's autoretryFor matchers selects the error. */
export function matchesAny(error: unknown, matchers: readonly ErrorMatcher[] | undefined): boolean {
  return (matchers ?? []).some((matcher) => {
    if (matcher.prototype instanceof Error || matcher === Error) return error instanceof (matcher as abstract new () => Error);
    return (matcher as (error: unknown) => boolean)(error);
  });
}

/** The retry settings a task's TaskContext enforces, with Celery's defaults (max_retries 3, default_retry_delay 180 s). */
export function retryPolicyOf(task: WorkerTask): { maxRetries: number | null; defaultRetryDelay: number } {
  return { maxRetries: task.maxRetries === undefined ? 3 : task.maxRetries, defaultRetryDelay: task.defaultRetryDelay ?? 180 };
}

/** What the worker executes. */
export interface WorkerTask extends WorkerTaskOptions {
  name: string;
  run(context: TaskContext, args: unknown[], kwargs: Record<string, unknown>): Promise<unknown>;
}

// Implementations whose last call returned a plain value (not a promise): they cannot resume
// after returning, so they run without async context propagation (see runWithTaskContext).
const returnsPlainValues = new WeakSet<object>();

/**
 * The worker's view of an app task, or undefined when the app only holds a producer handle
 * (no implementation). The implementation is called as `fn(...args)`, plus the kwargs object as
 * a last argument when any were sent; `currentTask()` gives it its context.
 */
export function workerTaskFrom(task: Task<never, unknown> | undefined): WorkerTask | undefined {
  const implementation = task?.implementation as ((...args: unknown[]) => unknown) | undefined;
  if (!task || !implementation) return undefined;
  const options = task.options as WorkerTaskOptions;
  const timeLimit = task.options.time_limit;
  const softTimeLimit = task.options.soft_time_limit;
  return {
    ...options,
    name: task.name,
    ignoreResult: options.ignoreResult ?? task.options.ignore_result,
    timeLimit: options.timeLimit ?? timeLimit,
    softTimeLimit: options.softTimeLimit ?? softTimeLimit,
    errback: options.errback ?? implementation.length > 1,
    run: async (context, args, kwargs) => {
      const result = runWithTaskContext(context, () => implementation(...args, ...(Object.keys(kwargs).length > 0 ? [kwargs] : [])), !returnsPlainValues.has(implementation));
      if (typeof (result as { then?: unknown } | null)?.then === "function") returnsPlainValues.delete(implementation);
      else returnsPlainValues.add(implementation);
      return result;
    },
  };
}
