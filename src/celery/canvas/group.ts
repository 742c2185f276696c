// A group: signatures applied in parallel under one group id; mirrors celery.canvas.group.

import { InvalidCanvas } from "../errors";
import type { SignatureDict } from "../protocol/signature-dict";
import type { TaskOptions } from "../protocol/task-options";
import type { GroupResult } from "../result/group-result";
import type { CanvasApp } from "./canvas-app";
import { TaskList } from "./task-list";
import { type CanvasResult, type FreezeOptions, Signature } from "./signature";

type Prepared = [task: Signature, result: CanvasResult, groupId: string];

/**
 * A group of signatures (`celery.group`, subtask_type "group"). Applying it publishes every member
 * (nested groups flattened) with the group id in `group`; nothing is published for the group
 * itself. Group-level options apply to every member.
 */
export class Group extends TaskList {
  constructor(tasks: Signature[], options: TaskOptions = {}, app?: CanvasApp) {
    super("celery.group", "group", tasks, options, app);
  }

  // Celery's group.from_dict keeps only the tasks and options; the members are shared, not copied.
  protected override rebuild(_args: unknown[], _kwargs: Record<string, unknown>, options: TaskOptions): Group {
    return new Group([...this.tasks], options, this.boundApp);
  }

  override clone(args?: unknown[], kwargs?: Record<string, unknown>, options?: TaskOptions): Group {
    return super.clone(args, kwargs, options) as Group;
  }

  /** Links an immutable clone of `callback` to the FIRST member only (Celery does the same). */
  override link<S extends Signature | SignatureDict>(callback: S): S {
    const first = this.tasks[0];
    if (!first) throw new InvalidCanvas("Cannot link a callback to an empty group: add members first, or use a chord.");
    const sig = callback instanceof Signature ? callback.clone().set({}, true) : new Signature({ ...callback, immutable: true });
    first.link(sig);
    return callback;
  }

  /** Links `errback` to every member, since any of them may fail. Returns `errback`. */
  override linkError<S extends Signature | SignatureDict>(errback: S): S {
    for (const task of this.tasks) task.linkError(errback);
    return errback;
  }

  override setImmutable(immutable: boolean): void {
    for (const task of this.tasks) task.setImmutable(immutable);
  }

  override chordSize(): number {
    return this.tasks.reduce((sum, task) => sum + task.chordSize(), 0);
  }

  /**
   * Publishes every member with `group` = the group id (`options.task_id` if set, else fresh).
   * `args` are prepended to each mutable member's args. `link`/`link_error` are refused, as in
   * Celery: link members or use a chord. Resolves to the GroupResult (or, for a group whose only
   * member yields a GroupResult, that one).
   */
  override async applyAsync(args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: TaskOptions = {}): Promise<GroupResult> {
    if (options.link !== undefined && options.link !== null) throw new InvalidCanvas("Cannot add link to group: use a chord.");
    if (options.link_error !== undefined && options.link_error !== null) throw new InvalidCanvas("Cannot add link_error to group: do that on individual tasks.");
    const app = this.requireApp();
    if (this.tasks.length === 0) return this.freeze();
    const opts: TaskOptions = { ...this.options, ...options };
    const groupId = opts.task_id ?? app.newId();
    delete opts.task_id;
    opts.group_id = groupId;
    const prepared = [...this.prepared(this.tasks, groupId, opts.root_id ?? null)];
    const results = await this.applyPrepared(prepared, args, kwargs, opts);
    const only = results.length === 1 ? results[0] : undefined;
    if (only && isGroupResult(only)) return only;
    return app.groupResult(groupId, results);
  }

  // Plain group members are frozen without a group_index (Celery 5.2 numbers only chord headers).
  private *prepared(tasks: Signature[], groupId: string, rootId: string | null): Generator<Prepared> {
    for (const original of tasks) {
      const task = original.clone();
      if (task instanceof Group) yield* this.prepared(task.tasks, groupId, rootId);
      else yield [task, task.freeze(undefined, { group_id: groupId, root_id: rootId }), groupId];
    }
  }

  /**
   * Celery's group._apply_tasks. For a chord header the expected size goes to the backend before
   * the last member is published, so a fast worker cannot finish the chord against a missing size.
   */
  private async applyPrepared(prepared: Prepared[], args: unknown[], kwargs: Record<string, unknown>, options: TaskOptions): Promise<CanvasResult[]> {
    const app = this.requireApp();
    const { chord, ...rest } = options;
    let chordSize = 0;
    const results: CanvasResult[] = [];
    for (const [index, [sig, result, groupId]] of prepared.entries()) {
      const chordObj = chord ?? sig.options.chord ?? null;
      chordSize += sig.chordSize();
      if (chordObj !== null && index === prepared.length - 1) await app.setChordSize(groupId, chordSize);
      // Celery passes chord=None explicitly; a nested chord copies it into its body's options.
      await sig.applyAsync(args, kwargs, { chord: chordObj, ...rest } as TaskOptions);
      results.push(result);
    }
    return results;
  }

  /**
   * Freezes the group: its id is `options.task_id`, else `context.group_id`, else fresh (Celery
   * ignores `id` here). Members are flattened (a nested group's members come out in REVERSE order,
   * Celery's deque.extendleft quirk) and numbered 0..n-1 in `group_index`.
   */
  override freeze(_id?: string, context: FreezeOptions = {}): GroupResult {
    const [groupId, results] = this.freezeGroupTasks(context);
    return this.requireApp().groupResult(groupId, results);
  }

  /** Celery's _freeze_group_tasks: the group id and the members' frozen results. */
  freezeGroupTasks(context: FreezeOptions = {}): [string, CanvasResult[]] {
    const app = this.requireApp();
    const opts = this.options as Record<string, unknown>;
    if (opts.task_id === undefined || opts.task_id === null) opts.task_id = context.group_id || app.newId();
    const groupId = opts.task_id as string;
    if (context.group_id) opts.group_id = context.group_id;
    if (context.chord) opts.chord = context.chord;
    if (context.group_index !== undefined && context.group_index !== null) opts.group_index = context.group_index;
    // setdefault: Celery writes the keys even when their value is None.
    if (!("root_id" in opts)) opts.root_id = context.root_id ?? null;
    if (!("parent_id" in opts)) opts.parent_id = context.parent_id ?? null;
    const stack = [...this.tasks];
    const flat: Signature[] = [];
    const results: CanvasResult[] = [];
    while (stack.length > 0) {
      const task = (stack.shift() as Signature).clone();
      if (task instanceof Group) {
        stack.unshift(...[...task.tasks].reverse());
        continue;
      }
      flat.push(task);
      results.push(
        task.freeze(undefined, {
          group_id: context.group_id ?? null,
          chord: context.chord ?? null,
          root_id: (opts.root_id as string | null) ?? null,
          parent_id: (opts.parent_id as string | null) ?? null,
          group_index: flat.length - 1,
        }),
      );
    }
    this.tasks.splice(0, this.tasks.length, ...flat);
    return [groupId, results];
  }
}

function isGroupResult(result: CanvasResult): result is GroupResult {
  return Array.isArray((result as { results?: unknown }).results);
}

/** `group(a, b, c)` or `group([a, b, c])`: Celery's group() factory. */
export function group(...tasks: (Signature | Signature[])[]): Group {
  const members = tasks.length === 1 && Array.isArray(tasks[0]) ? tasks[0] : (tasks as Signature[]);
  return new Group([...members]);
}
