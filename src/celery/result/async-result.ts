// The handle on one task's result; mirrors celery.result.AsyncResult.

import type { ExceptionInfo, ResultBackend, ResultMeta, ResultTuple } from "../backend/backend";
import { IncompleteStream, TaskFailedError, TaskRevokedError, TimeoutError } from "../errors";
import { PROPAGATE_STATES, READY_STATES, REVOKED, SUCCESS, FAILURE } from "../states";
import { type AnyResult, registerResultClass, resultFromTuple } from "./result-tuple";

export interface GetOptions {
  /** Milliseconds to wait before TimeoutError; no limit when absent. */
  timeout?: number;
  /** Throw TaskFailedError / TaskRevokedError for FAILURE / REVOKED (default true); false returns the exception info. */
  propagate?: boolean;
  /** Milliseconds between re-checks of the parents' errors while waiting (default 500). */
  interval?: number;
  /** Throw a failed in-memory parent's error first, as Celery (default true). */
  followParents?: boolean;
}

export interface WalkOptions {
  /** Also descend past results that are not ready instead of throwing IncompleteStream (default false). */
  intermediate?: boolean;
}

/** The error `get()` throws for a FAILURE or REVOKED document, carrying Celery's exception fields. */
export function errorFromMeta(meta: ResultMeta): TaskFailedError {
  const exc = (meta.result ?? {}) as Partial<ExceptionInfo>;
  const message = exc.exc_message as unknown;
  const info = {
    exc_type: typeof exc.exc_type === "string" ? exc.exc_type : meta.status,
    // Celery accepts a bare value where a list of args is expected (cls(exc_msg)).
    exc_message: Array.isArray(message) ? message : message === undefined || message === null ? [] : [message],
    exc_module: exc.exc_module ?? null,
  };
  return meta.status === REVOKED ? new TaskRevokedError(meta.task_id, info, meta.traceback) : new TaskFailedError(meta.task_id, info, meta.traceback);
}

/**
 * A task's result as stored by any Celery-compatible worker. Reads go to the backend each time
 * until the task is ready; a ready document is cached, as Celery does.
 */
export class AsyncResult {
  readonly id: string;
  readonly backend: ResultBackend;
  /** The result this one came from, known only in memory (set by the canvas when applying chains and chords). */
  parent: AnyResult | null;
  /** Set for tasks sent with ignore_result: `get()` resolves to null at once. */
  ignored = false;
  private cache: ResultMeta | null = null;

  constructor(id: string, backend: ResultBackend, parent: AnyResult | null = null) {
    if (!id) throw new TypeError("AsyncResult requires a task id");
    this.id = id;
    this.backend = backend;
    this.parent = parent;
  }

  /** The stored document (a PENDING one when the backend knows nothing of the task). */
  async meta(): Promise<ResultMeta> {
    if (this.cache) return this.cache;
    const meta = await this.backend.getTaskMeta(this.id);
    if (READY_STATES.has(meta.status)) this.cache = meta;
    return meta;
  }

  async state(): Promise<string> {
    return (await this.meta()).status;
  }

  /** The return value, the exception info of a failure, or the meta of a custom state. */
  async result(): Promise<unknown> {
    return (await this.meta()).result;
  }

  async traceback(): Promise<string | null> {
    return (await this.meta()).traceback;
  }

  async ready(): Promise<boolean> {
    return READY_STATES.has(await this.state());
  }

  async successful(): Promise<boolean> {
    return (await this.state()) === SUCCESS;
  }

  async failed(): Promise<boolean> {
    return (await this.state()) === FAILURE;
  }

  /**
   * Waits until the task is ready and returns its value. Subscribes before reading, so a result
   * stored in between is never missed. FAILURE/REVOKED throw TaskFailedError/TaskRevokedError
   * unless `propagate` is false (then the exception info is returned); with `followParents`, a
   * failed parent's error is thrown first. TimeoutError after `timeout` ms.
   */
  async get(options: GetOptions = {}): Promise<unknown> {
    const { timeout, propagate = true, interval = 500, followParents = true } = options;
    if (this.ignored) return null;
    const watchParents = followParents && propagate && this.parent !== null;
    if (watchParents) await this.maybeThrowParents();
    const meta = this.cache ?? (await this.waitReady(timeout, watchParents ? interval : null));
    return this.settle(meta, propagate);
  }

  /** Throws this task's error if it failed (and `propagate`); otherwise returns its current result. */
  async maybeThrow(propagate = true): Promise<unknown> {
    return this.settle(await this.meta(), propagate);
  }

  /** The results of tasks this task sent, rebuilt from the stored `children` tuples (null when not stored). */
  async children(): Promise<AnyResult[] | null> {
    const children = (await this.meta()).children;
    return children ? children.map((tuple) => resultFromTuple(tuple, this.backend)) : null;
  }

  /** The parent named by the stored `parent_id`: how to go up from a result Python produced. */
  async fetchParent(): Promise<AsyncResult | null> {
    const parentId = (await this.meta()).parent_id;
    return parentId ? new AsyncResult(parentId, this.backend) : null;
  }

  /** Deletes the stored result of this task and of its in-memory parents. */
  async forget(): Promise<void> {
    this.cache = null;
    await this.parent?.forget();
    await this.backend.forget(this.id);
  }

  toTuple(): ResultTuple {
    return [[this.id, this.parent ? this.parent.toTuple() : null], null];
  }

  /**
   * Every `[parent, node]` edge of the children graph below this result, breadth-first as Celery's
   * `iterdeps`. A node that is not ready throws IncompleteStream unless `intermediate`.
   */
  async *walk(options: WalkOptions = {}): AsyncGenerator<[AnyResult | null, AnyResult]> {
    const queue: [AnyResult | null, AnyResult][] = [[null, this]];
    for (let next = queue.shift(); next; next = queue.shift()) {
      yield next;
      const node = next[1];
      if (await node.ready()) for (const child of (await node.children()) ?? []) queue.push([node, child]);
      else if (!options.intermediate) throw new IncompleteStream(`result ${node.id} is not ready yet: wait for it or walk with intermediate: true`);
    }
  }

  /** Waits for each result of the graph in `walk()` order and yields `[result, value]`, as Celery's `collect`. */
  async *collect(options: GetOptions & WalkOptions = {}): AsyncGenerator<[AnyResult, unknown]> {
    for await (const [, node] of this.walk(options)) yield [node, await node.get(options)];
  }

  toString(): string {
    return this.id;
  }

  private settle(meta: ResultMeta, propagate: boolean): unknown {
    if (propagate && PROPAGATE_STATES.has(meta.status)) throw errorFromMeta(meta);
    return meta.result;
  }

  // Celery's _maybe_reraise_parent_error: the oldest known ancestor's error wins.
  private async maybeThrowParents(): Promise<void> {
    const parents: AnyResult[] = [];
    for (let node = this.parent; node; node = node.parent) parents.push(node);
    for (const node of parents.reverse()) await node.maybeThrow();
  }

  private waitReady(timeout: number | undefined, parentInterval: number | null): Promise<ResultMeta> {
    return new Promise<ResultMeta>((resolve, reject) => {
      let done = false;
      let lastState = "PENDING";
      let unsubscribe: (() => Promise<void>) | null = null;
      const timers: NodeJS.Timeout[] = [];
      const finish = (error: Error | null, meta?: ResultMeta) => {
        if (done) return;
        done = true;
        for (const timer of timers) clearTimeout(timer);
        void unsubscribe?.().catch(() => undefined);
        if (error) reject(error);
        else resolve(meta!);
      };
      const consider = (meta: ResultMeta) => {
        lastState = meta.status;
        if (!READY_STATES.has(meta.status)) return;
        this.cache = meta;
        finish(null, meta);
      };
      if (timeout !== undefined) {
        timers.push(setTimeout(() => finish(new TimeoutError(`timed out after ${timeout} ms waiting for the result of task ${this.id} (last state ${lastState})`)), timeout));
      }
      if (parentInterval !== null) {
        timers.push(setInterval(() => this.maybeThrowParents().catch((error: Error) => finish(error)), parentInterval));
      }
      this.backend
        .onResult(this.id, consider, (error) => finish(error))
        .then(async (unsub) => {
          unsubscribe = unsub;
          if (done) return void unsub().catch(() => undefined);
          consider(await this.backend.getTaskMeta(this.id));
        })
        .catch((error: Error) => finish(error));
    });
  }
}

registerResultClass("task", AsyncResult);
