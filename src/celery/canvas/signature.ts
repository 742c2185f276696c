// A task signature: one partial task invocation and its six-key dict form; mirrors celery.canvas.Signature.

import { ImproperlyConfigured } from "../errors";
import type { SignatureDict, SubtaskType } from "../protocol/signature-dict";
import type { TaskOptions } from "../protocol/task-options";
import type { AsyncResult } from "../result/async-result";
import type { GroupResult } from "../result/group-result";
import type { CanvasApp } from "./canvas-app";

/** What freezing or applying a canvas element returns: a task's result, or a group's. */
export type CanvasResult = AsyncResult | GroupResult;

/** The fields of a signature; a {@link SignatureDict} is one (its `chord_size` is ignored). */
export interface SignatureInit {
  task: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  options?: TaskOptions;
  subtask_type?: SubtaskType;
  immutable?: boolean;
}

/** The context `freeze` stamps into a signature's options (Celery's freeze keyword arguments). */
export interface FreezeOptions {
  group_id?: string | null;
  chord?: SignatureDict | null;
  root_id?: string | null;
  parent_id?: string | null;
  group_index?: number | null;
}

/** Wire form of any value that may hold signatures: every Signature becomes its dict, recursively. */
export function toPlain(value: unknown): unknown {
  if (value instanceof Signature) return value.toDict();
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toPlain(item);
    return out;
  }
  return value;
}

// Celery deep-copies options on clone, but a Signature inside them is copied as a shallow dict
// that shares its internals; keeping the reference serializes identically.
function copyOptions<T>(value: T): T {
  if (value instanceof Signature) return value;
  if (Array.isArray(value)) return value.map(copyOptions) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = copyOptions(item);
    return out as T;
  }
  return value;
}

/** Celery's maybe_list: an option that may hold one signature or a list of them, as a list. */
export function maybeList<T>(value: T | T[] | null | undefined): T[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

// Celery dismisses options passed as None to apply_async.
function withoutNullish(options: TaskOptions): TaskOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== null && v !== undefined)) as TaskOptions;
}

const sameDict = (a: unknown, b: unknown): boolean => JSON.stringify(toPlain(a)) === JSON.stringify(toPlain(b));

/**
 * One task invocation with partial arguments and execution options. Structurally it *is* a
 * {@link SignatureDict} (fields `task`, `args`, `kwargs`, `options`, `subtask_type`, `immutable`),
 * as Celery's Signature is a dict; nested signatures in options stay live objects until
 * {@link Signature.toDict} (or JSON.stringify, through toJSON) serializes them.
 */
export class Signature implements SignatureDict {
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: TaskOptions;
  subtask_type: SubtaskType;
  immutable: boolean;
  /** The app this signature applies itself through; composites fall back to their members' app. */
  protected boundApp: CanvasApp | undefined;

  constructor(init: SignatureInit, app?: CanvasApp) {
    this.task = init.task;
    this.args = [...(init.args ?? [])];
    this.kwargs = init.kwargs ?? {};
    this.options = init.options ?? {};
    this.subtask_type = init.subtask_type ?? null;
    this.immutable = init.immutable ?? false;
    this.boundApp = app;
  }

  /** The task name (Celery's `Signature.name`). */
  get name(): string {
    return this.task;
  }

  get subtaskType(): SubtaskType {
    return this.subtask_type;
  }

  /** The frozen task id (`options.task_id`), if any. */
  get id(): string | undefined {
    return this.options.task_id;
  }

  /** The bound app, or undefined when none is bound (Celery would fall back to current_app). */
  get app(): CanvasApp | undefined {
    return this.boundApp;
  }

  /** Binds this signature to an app (Celery's `sig._app = app`); returns this. */
  bind(app: CanvasApp): this {
    this.boundApp = app;
    return this;
  }

  protected requireApp(): CanvasApp {
    const app = this.app;
    if (!app) throw new ImproperlyConfigured(`Signature ${this.task} is not bound to an app: pass one to its constructor, to signatureFromDict, or call bind(app).`);
    return app;
  }

  /**
   * Celery's `_merge`: extra args are prepended, kwargs merged over, options merged over (except a
   * `group_id` already set, which would stall a chord). An immutable signature keeps its args and
   * kwargs.
   */
  protected merge(args: unknown[] = [], kwargs: Record<string, unknown> = {}, options?: TaskOptions): [unknown[], Record<string, unknown>, TaskOptions] {
    let newOptions = this.options;
    if (options !== undefined) {
      newOptions = { ...this.options };
      for (const [key, value] of Object.entries(options)) {
        if (key !== "group_id" || !("group_id" in this.options)) newOptions[key] = value;
      }
    }
    if (this.immutable) return [this.args, this.kwargs, newOptions];
    return [args.length ? [...args, ...this.args] : this.args, Object.keys(kwargs).length ? { ...this.kwargs, ...kwargs } : this.kwargs, newOptions];
  }

  /**
   * A copy, with partial application: `args` are prepended to the stored args, `kwargs` merged
   * over, `options` merged over (an immutable signature ignores new args and kwargs).
   */
  clone(args?: unknown[], kwargs?: Record<string, unknown>, options?: TaskOptions): Signature {
    const [a, k, o] = this.mergeIfAny(args, kwargs, options);
    return this.rebuild([...a], { ...k }, copyOptions(o));
  }

  protected mergeIfAny(args?: unknown[], kwargs?: Record<string, unknown>, options?: TaskOptions): [unknown[], Record<string, unknown>, TaskOptions] {
    const any = (args?.length ?? 0) > 0 || Object.keys(kwargs ?? {}).length > 0 || Object.keys(options ?? {}).length > 0;
    return any ? this.merge(args, kwargs, options) : [this.args, this.kwargs, this.options];
  }

  /** Builds the copy `clone` returns; Celery rebuilds it with from_dict, which ignores map/chunks classes. */
  protected rebuild(args: unknown[], kwargs: Record<string, unknown>, options: TaskOptions): Signature {
    return new Signature({ task: this.task, args, kwargs, options, subtask_type: this.subtask_type, immutable: this.immutable }, this.boundApp);
  }

  /** Merges execution options (Celery's `set`); `immutable`, when given, is set too. Returns this. */
  set(options: TaskOptions = {}, immutable?: boolean): this {
    if (immutable !== undefined) this.setImmutable(immutable);
    Object.assign(this.options, options);
    return this;
  }

  setImmutable(immutable: boolean): void {
    this.immutable = immutable;
  }

  private appendToListOption(key: "link" | "link_error", value: Signature | SignatureDict): void {
    const current = this.options[key];
    const items: (Signature | SignatureDict)[] = current === undefined ? [] : Array.isArray(current) ? current : [current];
    this.options[key] = items;
    if (!items.some((item) => sameDict(item, value))) items.push(value);
  }

  /** Adds `items` to a list option (Celery's extend_list_option, without its duplicate check). */
  extendListOption(key: "link" | "link_error", items: SignatureDict | SignatureDict[]): void {
    const current = this.options[key];
    this.options[key] = [...maybeList(current), ...maybeList(items)];
  }

  /** Adds a callback applied with this task's return value on success. Returns `callback`. */
  link<S extends Signature | SignatureDict>(callback: S): S {
    this.appendToListOption("link", callback);
    return callback;
  }

  /** Adds an errback applied when this task fails. Returns `errback`, as Celery does. */
  linkError<S extends Signature | SignatureDict>(errback: S): S {
    this.appendToListOption("link_error", errback);
    return errback;
  }

  /** {@link linkError} that returns this signature, for chaining. */
  onError(errback: Signature | SignatureDict): this {
    this.linkError(errback);
    return this;
  }

  /**
   * Fixes this signature's task id (kept if already set; else `id` or a fresh one) and stamps the
   * given context and `reply_to` into its options, in Celery's key order. Mutates the signature:
   * apply a frozen signature only once.
   */
  freeze(id?: string, context: FreezeOptions = {}): CanvasResult {
    const app = this.requireApp();
    const opts = this.options;
    if (opts.task_id === undefined || opts.task_id === null) opts.task_id = id ?? app.newId();
    if (context.root_id) opts.root_id = context.root_id;
    if (context.parent_id) opts.parent_id = context.parent_id;
    if (!("reply_to" in opts)) opts.reply_to = app.oid;
    if (context.group_id && !("group_id" in opts)) opts.group_id = context.group_id;
    if (context.chord) opts.chord = context.chord;
    if (context.group_index !== undefined && context.group_index !== null) opts.group_index = context.group_index;
    return app.asyncResult(opts.task_id);
  }

  /**
   * Sends the task: `args` prepended, `kwargs` and `options` merged over the stored ones (null or
   * undefined options are dismissed, as Celery dismisses None). Resolves to the task's result.
   */
  async applyAsync(args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: TaskOptions = {}): Promise<CanvasResult> {
    const [a, k, o] = this.mergeIfAny(args, kwargs, withoutNullish(options));
    return this.requireApp().sendTask(this.task, a, k, toPlain(o) as TaskOptions);
  }

  /** `applyAsync(args)`. */
  delay(...args: unknown[]): Promise<CanvasResult> {
    return this.applyAsync(args);
  }

  /** How many completions this element contributes to an enclosing chord (Celery's chord._descend). */
  chordSize(): number {
    return 1;
  }

  /** The six-key dict, in Celery's key order, with nested signatures serialized. */
  toDict(): SignatureDict {
    return {
      task: this.task,
      args: toPlain(this.args) as unknown[],
      kwargs: toPlain(this.kwargs) as Record<string, unknown>,
      options: toPlain(this.options) as TaskOptions,
      subtask_type: this.subtask_type,
      immutable: this.immutable,
    };
  }

  toJSON(): SignatureDict {
    return this.toDict();
  }
}
