// A chain of signatures applied one after another, and Celery's `|` operator; mirrors celery.canvas._chain / chain.

import { InvalidCanvas } from "../errors";
import type { SignatureDict } from "../protocol/signature-dict";
import type { TaskOptions } from "../protocol/task-options";
import type { CanvasApp } from "./canvas-app";
import { TaskList } from "./task-list";
import { Chord } from "./chord";
import { Group } from "./group";
import { type CanvasResult, type FreezeOptions, maybeList, Signature } from "./signature";

interface PrepareContext {
  root_id?: string | null;
  link_error?: SignatureDict | SignatureDict[] | null;
  last_task_id?: string | null;
  group_id?: string | null;
  chord_body?: SignatureDict | null;
  group_index?: number | null;
  clone: boolean;
}

/** Celery's maybe_unroll_group: a one-member group is just that member. */
function maybeUnrollGroup(sig: Signature): Signature {
  return sig instanceof Group && sig.tasks.length === 1 ? (sig.tasks[0] as Signature) : sig;
}

/**
 * `celery.chain` (subtask_type "chain"), kwargs `{tasks}`. Applying it freezes every step and
 * publishes ONLY the first task, whose `embed.chain` lists the remaining steps last-first so a
 * worker can pop the next one. Build chains with {@link chain} or {@link pipe}, which also turn
 * `group | task` into a chord as Celery's `|` does.
 */
export class Chain extends TaskList {
  constructor(tasks: Signature[], options: TaskOptions = {}, app?: CanvasApp) {
    super("celery.chain", "chain", tasks, options, app);
  }

  // Celery's from_dict keeps only tasks and options; _chain.clone then clones every step.
  protected override rebuild(_args: unknown[], _kwargs: Record<string, unknown>, options: TaskOptions): Chain {
    return new Chain(
      this.tasks.map((task) => task.clone()),
      options,
      this.boundApp,
    );
  }

  override clone(args?: unknown[], kwargs?: Record<string, unknown>, options?: TaskOptions): Chain {
    return super.clone(args, kwargs, options) as Chain;
  }

  /** Clones of the steps, each carrying the chain-level errbacks. */
  unchainTasks(): Signature[] {
    const tasks = this.tasks.map((task) => task.clone());
    for (const errback of maybeList(this.options.link_error)) {
      for (const task of tasks) task.linkError(errback);
    }
    return tasks;
  }

  override chordSize(): number {
    for (const task of [...this.tasks].reverse()) {
      const size = task.chordSize();
      if (size > 0) return size;
    }
    return 0;
  }

  /**
   * Sends the first task. `args`/`kwargs` go to the first step only; `options.task_id` becomes
   * the LAST task's id; `link` goes to the last task, `link_error` to every task; `root_id`
   * stamps every step and `parent_id` goes to the first message (a worker continuing a workflow
   * passes both); `chain` already present (from an enclosing chain) is continued. Resolves to the
   * last task's result; `.parent` leads back through every step (a chord step's parent is its
   * GroupResult).
   */
  override async applyAsync(args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: TaskOptions = {}): Promise<CanvasResult> {
    const { group_id, chord, task_id, link, link_error, root_id, parent_id, group_index, ...rest } = { ...this.options, ...options };
    const partialArgs = args.length && !this.immutable ? [...args, ...this.args] : this.args;
    const [tasks, results] = this.prepareSteps(partialArgs, kwargs, this.tasks, {
      root_id,
      link_error,
      last_task_id: task_id,
      group_id,
      chord_body: chord,
      group_index,
      clone: true,
    });
    const last = tasks[0];
    const first = tasks.pop();
    if (!first || !last) throw new InvalidCanvas("Cannot apply an empty chain: give it at least one signature.");
    if (link) last.extendListOption("link", link);
    // Never mutate an inherited chain list: a group reuses one options object for every member.
    const firstOptions: TaskOptions = { ...rest, chain: [...(rest.chain ?? []), ...tasks] };
    if (parent_id) firstOptions.parent_id = parent_id;
    const applied = await first.applyAsync([], {}, firstOptions);
    return tasks.length === 0 ? applied : (results[0] as CanvasResult);
  }

  /** Freezes every step in place (last step gets `id` and the context); returns the last result. */
  override freeze(id?: string, context: FreezeOptions = {}): CanvasResult {
    const [, results] = this.prepareSteps(this.args, this.kwargs, this.tasks, {
      root_id: context.root_id,
      last_task_id: id,
      group_id: context.group_id,
      chord_body: context.chord,
      group_index: context.group_index,
      clone: false,
    });
    const last = results[0];
    if (!last) throw new InvalidCanvas("Cannot freeze an empty chain: give it at least one signature.");
    return last;
  }

  /**
   * Celery's prepare_steps, walking from the last step to the first: splices nested chains, turns
   * `group` followed by a step into a chord, freezes each step and links results to parents.
   * Returns the steps and results in REVERSE order (last step first), the order `embed.chain` uses.
   */
  private prepareSteps(args: unknown[], kwargs: Record<string, unknown>, steps: Signature[], ctx: PrepareContext): [Signature[], CanvasResult[]] {
    const app = this.requireApp();
    const pending = [...steps];
    const tasks: Signature[] = [];
    const results: CanvasResult[] = [];
    let prevTask: Signature | undefined;
    let prevRes: CanvasResult | undefined;
    while (pending.length > 0) {
      let task = maybeUnrollGroup(pending.pop() as Signature);
      const isFirst = pending.length === 0;
      const isLast = tasks.length === 0;
      if (ctx.clone) task = isFirst ? task.clone(args, kwargs) : task.clone();
      else if (isFirst) task.args = [...args, ...task.args];
      if (task instanceof Chain) {
        pending.push(...task.tasks);
        continue;
      }
      if (task instanceof Group && prevTask && prevRes) {
        tasks.pop();
        results.pop();
        // A GroupResult has no task_id in Celery, so then the chord gets none.
        const options: TaskOptions = isGroupResultLike(prevRes) ? {} : { task_id: prevRes.id };
        (options as Record<string, unknown>).root_id = ctx.root_id ?? null;
        task = new Chord(task.tasks, prevTask, options, app);
      }
      const res = isLast
        ? task.freeze(ctx.last_task_id ?? undefined, { root_id: ctx.root_id, group_id: ctx.group_id, chord: ctx.chord_body, group_index: ctx.group_index })
        : task.freeze(undefined, { root_id: ctx.root_id });
      if (prevRes && !prevRes.parent) prevRes.parent = res;
      for (const errback of maybeList(ctx.link_error)) task.linkError(errback);
      tasks.push(task);
      results.push(res);
      prevTask = task;
      prevRes = res;
      // A chord's result is its body's; the step before it is the parent of the header instead.
      if (task instanceof Chord) {
        while (prevRes.parent) prevRes = prevRes.parent;
      }
    }
    return [tasks, results];
  }
}

function isGroupResultLike(result: CanvasResult): boolean {
  return Array.isArray((result as { results?: unknown }).results);
}

/**
 * Celery's `left | right`: task|task and task|chain give a chain; chain|task appends (or, when
 * the chain ends in a group, makes a chord of it; ends in a chord, extends the chord body);
 * group|task gives a chord; chord|task appends to the body. Several arguments fold left.
 */
export function pipe(left: Signature, ...rights: Signature[]): Signature {
  return rights.reduce(pipeTwo, left);
}

function pipeTwo(left: Signature, right: Signature): Signature {
  const app = left.app;
  if (left instanceof Chain) {
    if (right instanceof Group) {
      const other = maybeUnrollGroup(right);
      const tasks = left.unchainTasks();
      return tasks.length === 0 ? other : new Chain([...tasks, other], {}, app);
    }
    if (right instanceof Chain) return new Chain([...left.unchainTasks(), ...right.unchainTasks()], {}, app);
    const lastStep = left.tasks[left.tasks.length - 1];
    if (lastStep instanceof Group) {
      const sig = left.clone();
      sig.tasks[sig.tasks.length - 1] = new Chord((sig.tasks[sig.tasks.length - 1] as Group).tasks, right, {}, app);
      return sig;
    }
    if (lastStep instanceof Chord) {
      const sig = left.clone();
      const chordStep = sig.tasks[sig.tasks.length - 1] as Chord;
      chordStep.body = chordStep.body ? pipeTwo(chordStep.body, right) : right;
      return sig;
    }
    return new Chain([...left.unchainTasks(), right], {}, app);
  }
  if (left instanceof Group) return new Chord(left.tasks, right, {}, app);
  if (left instanceof Chord && !(right instanceof Group) && !(right instanceof Chain)) {
    const sig = left.clone();
    sig.body = sig.body ? pipeTwo(sig.body, right) : right;
    return sig;
  }
  if (right instanceof Chain) return new Chain([left, ...right.unchainTasks()], {}, app);
  if (right instanceof Group) return new Chain([left, maybeUnrollGroup(right)], {}, app);
  return new Chain([left, right], {}, app);
}

/**
 * `chain(a, b, c)` or `chain([a, b, c])`: Celery's chain(), i.e. `a | b | c` starting from an
 * empty chain, so `chain(a, group(b, c), d)` holds `[a, chord([b, c], d)]`. A single signature
 * gives a one-step chain. (Like Celery, starting with a group yields a Group or Chord, not a Chain.)
 */
export function chain(...tasks: (Signature | Signature[])[]): Signature {
  const only = tasks.length === 1 ? tasks[0] : undefined;
  if (only instanceof Signature) return new Chain([only]);
  const steps = Array.isArray(only) ? only : (tasks as Signature[]);
  return steps.reduce<Signature>(pipeTwo, new Chain([]));
}
