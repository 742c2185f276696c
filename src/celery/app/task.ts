// A task definition bound to an app: signatures, sending, map/starmap/chunks; mirrors the producer half of celery.app.task.Task.

import { Chunks } from "../canvas/chunks";
import { Signature } from "../canvas/signature";
import { XMap } from "../canvas/x-map";
import type { TaskOptions } from "../protocol/task-options";
import type { AsyncResult } from "../result/async-result";
import type { CanvasApp } from "../canvas/canvas-app";

/**
 * Every suffix of an argument tuple: a partial signature stores the trailing arguments, and the
 * parent's result is prepended when it runs (`add.s(4)` in a chain becomes `add(result, 4)`).
 */
export type ArgsSuffix<Args extends unknown[]> = Args | (Args extends [unknown, ...infer Rest] ? ArgsSuffix<Rest> : never);

/** The function a worker will run for the task. The app stores it; it never calls it. */
export type TaskImplementation<Args extends unknown[], Result> = (...args: Args) => Result | Promise<Result>;

/**
 * A named task. `Args` types the positional arguments and `Result` what the task returns (kept
 * for result readers and the worker). Definition options (`queue`, `priority`, `time_limit`, ...)
 * are not copied into signatures (Celery's `add.s()` has `options: {}`); the app applies them
 * under each call's own options when it sends the task, as Celery applies task attributes.
 */
export class Task<Args extends unknown[] = unknown[], Result = unknown> {
  readonly name: string;
  readonly options: TaskOptions;
  readonly implementation: TaskImplementation<Args, Result> | undefined;
  readonly #app: CanvasApp;

  constructor(app: CanvasApp, name: string, implementation?: TaskImplementation<Args, Result>, options: TaskOptions = {}) {
    this.#app = app;
    this.name = name;
    this.implementation = implementation;
    this.options = options;
  }

  /** `Task.signature(args, kwargs, **options)`: the general form behind `s`/`si`. */
  signature(args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: TaskOptions = {}, immutable = false): Signature {
    return new Signature({ task: this.name, args, kwargs, options, subtask_type: null, immutable }, this.#app);
  }

  /** A partial signature (`add.s(4)`); the parent's result will be prepended. */
  s(...args: ArgsSuffix<Args>): Signature {
    return this.signature(args);
  }

  /** An immutable signature: it ignores its parent's result. */
  si(...args: Args): Signature {
    return this.signature(args, {}, {}, true);
  }

  /** `applyAsync(args)`. */
  delay(...args: Args): Promise<AsyncResult> {
    return this.applyAsync(args);
  }

  /** Sends one task message; the app applies the definition's options under these. */
  applyAsync(args: Args, kwargs: Record<string, unknown> = {}, options: TaskOptions = {}): Promise<AsyncResult> {
    return this.#app.sendTask(this.name, args, kwargs, options);
  }

  /** One `celery.map` message: the worker calls the task once per item, in-process. */
  map(items: Args[0][]): XMap {
    return new XMap("celery.map", this.signature(), items, {}, this.#app);
  }

  /** One `celery.starmap` message: each item is an argument tuple. */
  starmap(items: Args[]): XMap {
    return new XMap("celery.starmap", this.signature(), items, {}, this.#app);
  }

  /** A group of `celery.starmap` messages of `n` items each. */
  chunks(items: Args[], n: number): Chunks {
    return new Chunks(this.signature(), items, n, {}, this.#app);
  }
}
