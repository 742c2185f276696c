// What a running task sees of its own execution: the request, retry() and an abort signal; mirrors celery.app.task.Context and Task.retry.

import type { SignatureDict } from "../protocol/signature-dict";
import type { TaskOptions } from "../protocol/task-options";
import { MaxRetriesExceededError, Retry } from "./worker-errors";

/** The request of the running task, with Celery's field names (celery.app.task.Context). */
export interface TaskRequestContext {
  id: string;
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  retries: number;
  root_id: string;
  parent_id: string | null;
  group: string | null;
  group_index: number | null;
  eta: string | null;
  expires: string | null;
  hostname: string;
  correlation_id: string;
  reply_to: string | null;
  origin: string | null;
  delivery_info: { exchange: string; routing_key: string; priority: number | null; redelivered: boolean };
  timelimit: [number | null, number | null];
  callbacks: SignatureDict[] | null;
  errbacks: SignatureDict[] | null;
  chain: SignatureDict[] | null;
  chord: SignatureDict | null;
}

export interface RetryOptions {
  /** Seconds from now. Without `eta` and `countdown`, the task's default retry delay (180 s). */
  countdown?: number;
  eta?: Date;
  /** Overrides the task's maxRetries for this call; null = retry forever. */
  maxRetries?: number | null;
  /** The cause: stored as the RETRY result, and thrown as the final error when retries are exhausted. */
  exc?: Error;
  /** Replace the arguments of the next attempt. */
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /** Extra apply_async options (queue, priority, …). */
  options?: TaskOptions;
}

/** How the worker publishes a retry; supplied by the worker. */
export type RetryPublisher = (args: unknown[], kwargs: Record<string, unknown>, options: TaskOptions) => Promise<void>;

/**
 * Passed to every task implementation run by a Worker. `signal` aborts on a soft time limit
 * (reason: SoftTimeLimitExceeded) and on `revoke --terminate` (reason: TaskRevokedError): long
 * tasks should pass it to fetch() and the like, or check it between steps.
 */
export class TaskContext {
  constructor(
    readonly request: TaskRequestContext,
    readonly signal: AbortSignal,
    private readonly task: { maxRetries: number | null; defaultRetryDelay: number },
    /** Publishes a retry of this request (the threads pool calls it for a task in a thread). */
    readonly publishRetry: RetryPublisher,
  ) {}

  /**
   * Re-sends this task with the same id and `retries + 1` (Task.retry). Always rejects: with
   * `Retry` once the new message is out (rethrow it, or just `return ctx.retry(…)` from an async
   * task), or, when retries are exhausted, with `exc` (or MaxRetriesExceededError).
   */
  async retry(options: RetryOptions = {}): Promise<never> {
    const request = this.request;
    const retries = request.retries + 1;
    const maxRetries = options.maxRetries === undefined ? this.task.maxRetries : options.maxRetries;
    const args = options.args ?? request.args;
    const kwargs = options.kwargs ?? request.kwargs;
    if (maxRetries !== null && retries > maxRetries) {
      throw options.exc ?? new MaxRetriesExceededError(`Can't retry ${request.task}[${request.id}] args:${JSON.stringify(args)} kwargs:${JSON.stringify(kwargs)}`);
    }
    const countdown = options.eta ? undefined : (options.countdown ?? this.task.defaultRetryDelay);
    const eta = options.eta ?? new Date(Date.now() + (countdown ?? 0) * 1000);
    await this.publishRetry(args, kwargs, { ...options.options, eta, retries });
    throw new Retry(options.exc ?? null, options.eta ?? countdown ?? 0);
  }
}
