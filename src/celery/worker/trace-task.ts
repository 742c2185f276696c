// Runs one task request and does everything Celery's tracer does after it: results, callbacks, chain, chord join, errbacks; mirrors celery/app/trace.py and celery/backends/base.py (mark_as_*, _call_task_errbacks, chord_error_from_stack).

import type { ExceptionInfo, ResultMeta, ResultTuple } from "../backend/backend";
import { ChordError } from "../errors";
import { pyIsoformat } from "../protocol/py-isoformat";
import { pyRepr } from "../protocol/py-repr";
import type { SignatureDict } from "../protocol/signature-dict";
import type { TaskOptions } from "../protocol/task-options";
import { FAILURE, PROPAGATE_STATES, READY_STATES, RETRY, REVOKED, STARTED, SUCCESS, type TaskState } from "../states";
import { describeError, type ErrorDescription, reprOfExceptionInfo } from "./describe-error";
import { exponentialBackoff } from "./exponential-backoff";
import { TaskContext, type TaskRequestContext } from "./task-context";
import { applySignature, groupOf, resultTupleOf } from "./canvas-bridge";
import type { WorkerApp } from "./worker-app";
import { Ignore, Reject, Retry, SoftTimeLimitExceeded, TimeLimitExceeded } from "./worker-errors";
import { matchesAny, retryPolicyOf, type WorkerTask, workerTaskFrom } from "./worker-task";

/** How a traced task ended; the worker turns it into acks and events. */
export type TraceOutcome =
  | { state: typeof SUCCESS; retval: unknown; runtime: number }
  | { state: typeof FAILURE | typeof RETRY; error: ErrorDescription; runtime: number }
  | { state: "REJECTED"; requeue: boolean }
  | { state: "IGNORED" }
  | { state: typeof REVOKED };

export interface TraceSettings {
  hostname: string;
  /** Store name/args/kwargs/worker/retries/queue in result documents (result_extended). */
  resultExtended: boolean;
  trackStarted: boolean;
  pid: number;
  log(level: "info" | "warn" | "error", message: string): void;
}

/** One execution: what the tracer needs to know about the request besides the task itself. */
export interface TraceJob {
  request: TaskRequestContext;
  task: WorkerTask;
  ignoreResult: boolean;
  /** Aborted by revoke --terminate or the soft time limit; its reason says which. */
  abort: AbortController;
  /** Seconds, already resolved from the message and the task. */
  softTimeLimit: number | null;
  timeLimit: number | null;
  /** True once the worker has announced this job revoked/terminated: its outcome is then dropped. */
  isSettled(): boolean;
  /**
   * The early ack in flight (never rejects; null with acksLate). The body runs only after it has
   * landed, as Celery acks before executing; the STARTED write is issued alongside instead of
   * after it, which saves a round trip per task without letting the body run unacked.
   */
  acked: Promise<void> | null;
}

const ORDERED_TASK_FIELDS = ["name", "args", "kwargs", "worker", "retries", "queue"] as const;

// Celery 5.2 writes date_done as naive UTC (datetime.utcnow().isoformat()).
function dateDone(): string {
  return pyIsoformat(new Date(), { naive: true });
}

function now(): number {
  return performance.now() / 1000;
}

/** The tracer for one worker: stateless between jobs. */
export class Tracer {
  constructor(
    private readonly app: WorkerApp,
    private readonly settings: TraceSettings,
  ) {}

  // -- result documents (celery.backends.base._get_result_meta) -------------------------------

  private meta(request: Partial<TaskRequestContext> & { id: string }, state: TaskState, result: unknown, traceback: string | null, children: ResultTuple[] | null, queue?: string | null): ResultMeta {
    const meta: ResultMeta = { status: state, result, traceback, children, date_done: READY_STATES.has(state) ? dateDone() : null, task_id: request.id };
    if (request.group) meta.group_id = request.group;
    if (request.parent_id) meta.parent_id = request.parent_id;
    if (this.settings.resultExtended) {
      const extended = {
        name: request.task ?? null,
        args: request.args ?? null,
        kwargs: request.kwargs ?? null,
        worker: request.hostname ?? null,
        retries: request.retries ?? null,
        queue: queue === undefined ? (request.delivery_info?.routing_key ?? null) : queue,
      };
      for (const field of ORDERED_TASK_FIELDS) (meta as Record<string, unknown>)[field] = extended[field];
    }
    return meta;
  }

  async store(request: Partial<TaskRequestContext> & { id: string }, state: TaskState, result: unknown, traceback: string | null, children: ResultTuple[] | null): Promise<void> {
    await this.app.backend.storeResult(this.meta(request, state, result, traceback, children));
  }

  // -- execution --------------------------------------------------------------------------

  /** Runs the job to its end state, storing results and continuing the workflow (trace_task). */
  async trace(job: TraceJob): Promise<TraceOutcome> {
    const { request, task } = job;
    const started = now();
    const children: ResultTuple[] = [];
    const rootId = request.root_id || request.id;
    const storingStarted = (task.trackStarted ?? this.settings.trackStarted) && !job.ignoreResult ? this.store(request, STARTED, { pid: this.settings.pid, hostname: this.settings.hostname }, null, children) : null;
    // Together, so a failed STARTED write is observed at once, not left unhandled behind the ack.
    if (storingStarted || job.acked) await Promise.all([storingStarted, job.acked]);
    let retval: unknown;
    try {
      retval = await this.runWithLimits(job, children);
    } catch (error) {
      if (job.isSettled()) return { state: REVOKED };
      return this.onError(job, error, children, started);
    }
    if (job.isSettled()) return { state: REVOKED };
    try {
      // Callbacks and the chain go out before the result is stored so they appear in children.
      if (request.callbacks?.length) await this.applyCallbacks(request, retval, rootId, children);
      if (request.chain?.length) {
        const chain = [...request.chain];
        const next = chain.pop()!;
        children.push(...(await this.apply(next, [retval], { chain, parent_id: request.id, root_id: rootId })));
      }
      if (!job.ignoreResult) await this.store(request, SUCCESS, retval, null, children);
      if (request.chord) await this.onChordPartReturn(request, SUCCESS, retval);
    } catch (error) {
      return this.onError(job, error, children, started);
    }
    return { state: SUCCESS, retval, runtime: now() - started };
  }

  private runWithLimits(job: TraceJob, children: ResultTuple[]): Promise<unknown> {
    const { request, task } = job;
    const context = new TaskContext(request, job.abort.signal, retryPolicyOf(task), async (args, kwargs, options) => {
      children.push(...(await this.publishRetry(request, args, kwargs, options)));
    });
    const timers: NodeJS.Timeout[] = [];
    const run = (async () => {
      try {
        return await task.run(context, request.args, request.kwargs);
      } catch (error) {
        if (error instanceof Retry || error instanceof Ignore || error instanceof Reject || !task.autoretryFor || !matchesAny(error, task.autoretryFor)) throw error;
        const countdown = task.retryBackoff
          ? exponentialBackoff(task.retryBackoff === true ? 1 : Math.max(1, Math.trunc(task.retryBackoff)), request.retries, task.retryBackoffMax ?? 600, task.retryJitter ?? true)
          : task.retryKwargs?.countdown;
        return await context.retry({ exc: error as Error, countdown, maxRetries: task.retryKwargs?.maxRetries });
      }
    })();
    const racers: Promise<unknown>[] = [run];
    if (job.softTimeLimit) {
      const seconds = job.softTimeLimit;
      timers.push(setTimeout(() => job.abort.abort(new SoftTimeLimitExceeded(seconds)), seconds * 1000));
    }
    if (job.timeLimit) {
      const seconds = job.timeLimit;
      racers.push(
        new Promise((_, reject) =>
          timers.push(
            setTimeout(() => {
              job.abort.abort(new TimeLimitExceeded(seconds));
              reject(new TimeLimitExceeded(seconds));
            }, seconds * 1000),
          ),
        ),
      );
    }
    // A terminated task stops being awaited at once; its promise may still settle later, unobserved.
    racers.push(
      new Promise((_, reject) => {
        const onAbort = () => {
          if (!(job.abort.signal.reason instanceof SoftTimeLimitExceeded)) reject(job.abort.signal.reason);
        };
        if (job.abort.signal.aborted) onAbort();
        else job.abort.signal.addEventListener("abort", onAbort, { once: true });
      }),
    );
    run.catch(() => undefined);
    return Promise.race(racers).finally(() => timers.forEach(clearTimeout));
  }

  // -- retry (Task.retry → signature_from_request) -----------------------------------------------

  private async publishRetry(request: TaskRequestContext, args: unknown[], kwargs: Record<string, unknown>, options: TaskOptions): Promise<ResultTuple[]> {
    const [hard, soft] = request.timelimit;
    const delivery = request.delivery_info;
    const routing: TaskOptions = delivery.exchange === "" && delivery.routing_key ? { queue: delivery.routing_key } : { exchange: delivery.exchange, routing_key: delivery.routing_key };
    const retryOptions: TaskOptions = {
      task_id: request.id,
      root_id: request.root_id,
      // Celery publishes the retry from inside the task, so a missing parent becomes the task itself.
      parent_id: request.parent_id ?? request.id,
      group_id: request.group ?? undefined,
      group_index: request.group_index ?? undefined,
      chord: request.chord ?? undefined,
      chain: request.chain ?? undefined,
      link: request.callbacks ?? undefined,
      link_error: request.errbacks ?? undefined,
      expires: request.expires ?? undefined,
      time_limit: hard ?? undefined,
      soft_time_limit: soft ?? undefined,
      reply_to: request.reply_to ?? undefined,
      ...(delivery.priority !== null ? { priority: delivery.priority } : {}),
      ...routing,
      ...options,
    };
    const result = await this.app.sendTask(request.task, args, kwargs, retryOptions);
    return [resultTupleOf(result)];
  }

  // -- success continuation ---------------------------------------------------------------

  private async apply(dict: SignatureDict, args: unknown[], options: TaskOptions): Promise<ResultTuple[]> {
    return [resultTupleOf(await applySignature(this.app, dict, args, options))];
  }

  private async applyCallbacks(request: TaskRequestContext, retval: unknown, rootId: string, children: ResultTuple[]): Promise<void> {
    const callbacks = request.callbacks ?? [];
    const options = { parent_id: request.id, root_id: rootId };
    if (callbacks.length === 1) {
      children.push(...(await this.apply(callbacks[0]!, [retval], options)));
      return;
    }
    // Several callbacks: groups go one by one, the plain ones together as one new group.
    const plain: SignatureDict[] = [];
    for (const callback of callbacks) {
      if (callback.subtask_type === "group") children.push(...(await this.apply(callback, [retval], options)));
      else plain.push(callback);
    }
    if (plain.length > 0) children.push(resultTupleOf(await groupOf(this.app, plain).applyAsync([retval], {}, options)));
  }

  // -- chords (RedisBackend.on_chord_part_return) ------------------------------------------------

  async onChordPartReturn(request: Pick<TaskRequestContext, "id" | "group" | "group_index" | "chord" | "root_id">, state: TaskState, result: unknown): Promise<void> {
    if (!request.group || !request.chord) return;
    const outcome = await this.app.backend.chordPartReturn(request.group, { taskId: request.id, state, result, groupIndex: request.group_index });
    if (!outcome.complete) return;
    const failed = outcome.parts.find((part) => PROPAGATE_STATES.has(part.state));
    if (failed) {
      const message = `Dependency ${failed.taskId} raised ${reprOfExceptionInfo(failed.result as ExceptionInfo)}`;
      this.settings.log("error", `Chord ${request.group} raised: ChordError('${message}')`);
      await this.chordErrorFromStack(request.chord, new ChordError(message));
      return;
    }
    try {
      await applySignature(this.app, request.chord, [outcome.parts.map((part) => part.result)], { parent_id: request.id, root_id: request.root_id || request.id });
    } catch (error) {
      this.settings.log("error", `Chord callback for ${request.group} raised: ${(error as Error).message}`);
      await this.chordErrorFromStack(request.chord, new ChordError(`Callback error: ${(error as Error).name}('${(error as Error).message}')`));
    }
  }

  private async chordErrorFromStack(body: SignatureDict, error: ChordError): Promise<void> {
    const bodyId = body.options.task_id;
    const description = describeError(error);
    const errbacks = ([] as SignatureDict[]).concat((body.options.link_error as SignatureDict | SignatureDict[] | undefined) ?? []);
    if (bodyId) await this.backendFailure({ id: bodyId }, description);
    await this.callErrbacks({ ...body, id: bodyId ?? "", root_id: bodyId ?? "", errbacks, delivery_info: {} } as unknown as TaskRequestContext, description);
  }

  // -- failure (mark_as_failure + _call_task_errbacks) -------------------------------------------

  private async backendFailure(request: Partial<TaskRequestContext> & { id: string }, error: ErrorDescription): Promise<void> {
    await this.app.backend.storeResult(this.meta(request, FAILURE, error.exc, error.traceback, null, null));
  }

  private async onError(job: TraceJob, error: unknown, children: ResultTuple[], started: number): Promise<TraceOutcome> {
    const { request } = job;
    if (error instanceof Reject) return { state: "REJECTED", requeue: error.requeue };
    if (error instanceof Ignore) return { state: "IGNORED" };
    if (error instanceof Retry) {
      const description = error.exc ? describeError(error.exc) : { exc: null, traceback: null, repr: `Retry(${pyRepr(error.message)})` };
      if (!job.ignoreResult) await this.store(request, RETRY, description.exc, description.traceback, children);
      return { state: RETRY, error: description as ErrorDescription, runtime: now() - started };
    }
    const description = describeError(error);
    this.settings.log("error", `Task ${request.task}[${request.id}] raised unexpected: ${description.repr}`);
    await this.markAsFailure(request, description, children, !job.ignoreResult);
    return { state: FAILURE, error: description, runtime: now() - started };
  }

  /** Stores FAILURE, feeds the chord, fails the rest of the chain, then calls errbacks (mark_as_failure). */
  async markAsFailure(request: TaskRequestContext, description: ErrorDescription, children: ResultTuple[] | null, storeResult = true): Promise<void> {
    if (storeResult) await this.store(request, FAILURE, description.exc, description.traceback, children);
    if (request.chord) await this.onChordPartReturn(request, FAILURE, description.exc);
    for (const element of request.chain ?? []) {
      const id = element.options.task_id;
      if (!id) continue;
      const elementRequest = { id, task: element.task, args: element.args, kwargs: element.kwargs, group: element.options.group_id ?? null, parent_id: element.options.parent_id ?? null };
      if (storeResult) await this.app.backend.storeResult(this.meta({ ...elementRequest, hostname: undefined }, FAILURE, description.exc, description.traceback, null, null));
      if (element.options.chord) {
        await this.onChordPartReturn({ id, group: elementRequest.group, group_index: element.options.group_index ?? null, chord: element.options.chord, root_id: request.root_id }, FAILURE, description.exc);
      }
    }
    if (request.errbacks?.length) await this.callErrbacks(request, description);
  }

  private async callErrbacks(request: TaskRequestContext, description: ErrorDescription): Promise<void> {
    const remote: SignatureDict[] = [];
    for (const errback of request.errbacks ?? []) {
      const local = errback.subtask_type === null ? workerTaskFrom(this.app.tasks.get(errback.task)) : undefined;
      if (local?.errback) {
        await local.run(new TaskContext(request, new AbortController().signal, { maxRetries: 0, defaultRetryDelay: 0 }, async () => undefined), [request, description.error, description.traceback, ...errback.args], errback.kwargs);
      } else {
        remote.push(errback);
      }
    }
    if (remote.length === 0) return;
    // Old-style (or unknown here) errbacks are sent as one group with the failed id first.
    await groupOf(this.app, remote).applyAsync([request.id], {}, { parent_id: request.id, root_id: request.root_id || request.id });
  }
}

