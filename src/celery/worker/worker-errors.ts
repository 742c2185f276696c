// The signals a task raises to steer its worker, and the time-limit errors; mirrors celery/exceptions.py (Retry, Reject, Ignore, MaxRetriesExceededError) and billiard.exceptions.

import { CeleryError } from "../errors";

/**
 * Thrown (by `ctx.retry()`) once the retry message is published: the worker stores RETRY and
 * emits task-retried instead of failing (celery.exceptions.Retry).
 */
export class Retry extends CeleryError {
  readonly excType = "Retry";
  readonly excModule = "celery.exceptions";
  /** The error that caused the retry, stored as the RETRY result (null when none was given). */
  readonly exc: Error | null;
  /** Seconds until the retry runs, or its eta. */
  readonly when: number | Date;
  constructor(exc: Error | null, when: number | Date) {
    super("RETRY", `Retry in ${when instanceof Date ? when.toISOString() : `${when}s`}${exc ? `: ${exc.message}` : ""}`);
    this.exc = exc;
    this.when = when;
  }
}

/** The task was retried more than its `maxRetries` and no `exc` was given (celery.exceptions.MaxRetriesExceededError). */
export class MaxRetriesExceededError extends CeleryError {
  readonly excType = "MaxRetriesExceededError";
  readonly excModule = "celery.exceptions";
  constructor(message: string) {
    super("MAX_RETRIES_EXCEEDED", message);
  }
}

/**
 * The soft time limit passed: the task's AbortSignal fires with this as its reason, so the task
 * can clean up and throw it (billiard.exceptions.SoftTimeLimitExceeded).
 */
export class SoftTimeLimitExceeded extends CeleryError {
  readonly excType = "SoftTimeLimitExceeded";
  readonly excModule = "billiard.exceptions";
  readonly excMessage: unknown[];
  constructor(seconds: number) {
    super("TIME_LIMIT_EXCEEDED", `SoftTimeLimitExceeded(${seconds})`);
    this.excMessage = [seconds];
  }
}

/** The hard time limit passed: the worker stops waiting and fails the task (billiard.exceptions.TimeLimitExceeded). */
export class TimeLimitExceeded extends CeleryError {
  readonly excType = "TimeLimitExceeded";
  readonly excModule = "billiard.exceptions";
  readonly excMessage: unknown[];
  constructor(seconds: number) {
    super("TIME_LIMIT_EXCEEDED", `TimeLimitExceeded(${seconds})`);
    this.excMessage = [seconds];
  }
}

/** The thread running a task died under it (billiard.exceptions.WorkerLostError). */
export class WorkerLostError extends CeleryError {
  readonly excType = "WorkerLostError";
  readonly excModule = "billiard.exceptions";
  constructor(message: string) {
    super("WORKER_LOST", message);
  }
}

/** Thrown by a task to reject its message, requeued or not, without storing a result (celery.exceptions.Reject). */
export class Reject extends CeleryError {
  readonly requeue: boolean;
  constructor(reason: string, requeue = false) {
    super("REJECT", reason);
    this.requeue = requeue;
  }
}

/** Thrown by a task to ack its message and store nothing (celery.exceptions.Ignore). */
export class Ignore extends CeleryError {
  constructor(reason = "Task ignored") {
    super("IGNORE", reason);
  }
}
