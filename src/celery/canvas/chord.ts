// A chord: a header group whose results feed one body signature; mirrors celery.canvas._chord.

import { InvalidCanvas } from "../errors";
import type { SignatureDict } from "../protocol/signature-dict";
import type { TaskOptions } from "../protocol/task-options";
import type { CanvasApp } from "./canvas-app";
import { Group } from "./group";
import { type CanvasResult, type FreezeOptions, Signature } from "./signature";

/** Arguments a chord signature carries besides header and body (Celery keeps them for the legacy celery.chord task). */
export interface ChordExtra {
  args?: unknown[];
  /** Inner kwargs of the chord dict other than header and body; Celery writes `{kwargs: {}}`. */
  kwargs?: Record<string, unknown>;
  immutable?: boolean;
}

/** The header members as Celery's _maybe_group sees them: a group's or chain's tasks, or a list. */
function headerTasks(header: Signature | Signature[]): Signature[] {
  if (Array.isArray(header)) return header;
  const tasks = header.kwargs.tasks;
  if ((header.subtask_type === "group" || header.subtask_type === "chain") && Array.isArray(tasks)) return tasks as Signature[];
  return [header];
}

/**
 * `celery.chord` (subtask_type "chord"), kwargs `{kwargs, header, body}`. Applying it publishes
 * the header members with the header group id, `group_index` 0..n-1 and `embed.chord` = the body;
 * the body is sent by whoever finishes the header last.
 */
export class Chord extends Signature {
  /** True once `freeze` wrapped the header in a group of its own: only then is its id reused. */
  #headerFrozen = false;

  /**
   * `header` may be a list, or a group (or chain) signature, which is kept as given so that a
   * chord dict round-trips; when applied, a header this chord did not freeze itself is re-grouped
   * under a fresh group id, exactly as Celery does after from_dict turns it into a list.
   */
  constructor(header: Signature[] | Signature, body: Signature | null, options: TaskOptions = {}, app?: CanvasApp, extra: ChordExtra = {}) {
    super({ task: "celery.chord", args: extra.args ?? [], kwargs: { ...(extra.kwargs ?? { kwargs: {} }), header, body }, options, subtask_type: "chord", immutable: extra.immutable ?? false }, app);
  }

  /** The header: a list of signatures, or a group signature once frozen. */
  get header(): Signature[] | Signature {
    return this.kwargs.header as Signature[] | Signature;
  }

  set header(header: Signature[] | Signature) {
    this.kwargs.header = header;
  }

  get tasks(): Signature[] {
    return headerTasks(this.header);
  }

  get body(): Signature | null {
    return (this.kwargs.body as Signature | null) ?? null;
  }

  set body(body: Signature | null) {
    this.kwargs.body = body;
  }

  override get app(): CanvasApp | undefined {
    return this.boundApp ?? this.tasks[0]?.app ?? this.body?.app;
  }

  private extra(): ChordExtra {
    const { header: _header, body: _body, ...kwargs } = this.kwargs;
    return { args: this.args, kwargs, immutable: this.immutable };
  }

  protected requireBody(): Signature {
    const body = this.body;
    if (!body) throw new InvalidCanvas("This chord has no body: give one, chord(header, body), before applying or linking it.");
    return body;
  }

  // Celery rebuilds the clone from its dict (the header becomes a list again) and copies the body.
  protected override rebuild(args: unknown[], kwargs: Record<string, unknown>, options: TaskOptions): Chord {
    const { header: _header, body: _body, ...inner } = kwargs;
    return new Chord(
      this.tasks.map((task) => task.clone()),
      this.body?.clone() ?? null,
      options,
      this.boundApp,
      { args, kwargs: inner, immutable: this.immutable },
    );
  }

  override clone(args?: unknown[], kwargs?: Record<string, unknown>, options?: TaskOptions): Chord {
    return super.clone(args, kwargs, options) as Chord;
  }

  /** Links `callback` to the body. Returns `callback`. */
  override link<S extends Signature | SignatureDict>(callback: S): S {
    this.requireBody().link(callback);
    return callback;
  }

  /** Links `errback` to the body. Returns `errback`. */
  override linkError<S extends Signature | SignatureDict>(errback: S): S {
    this.requireBody().linkError(errback);
    return errback;
  }

  /** Changes the header members only, never the body. */
  override setImmutable(immutable: boolean): void {
    for (const task of this.tasks) task.setImmutable(immutable);
  }

  override chordSize(): number {
    return this.body?.chordSize() ?? 0;
  }

  /**
   * Freezes header (wrapped in a group with its own id, body as `chord`) then body; the body's
   * first result gets the header GroupResult as parent. Returns the body's result.
   */
  override freeze(id?: string, context: FreezeOptions = {}): CanvasResult {
    const body = this.requireBody();
    if (!this.#headerFrozen) {
      this.header = new Group(this.tasks, {}, this.app);
      this.#headerFrozen = true;
    }
    const header = this.header as Group;
    const headerResult = header.freeze(undefined, { parent_id: context.parent_id ?? null, root_id: context.root_id ?? null, chord: body });
    const bodyResult = body.freeze(id, { root_id: context.root_id ?? null, chord: context.chord ?? null, group_id: context.group_id ?? null, group_index: context.group_index ?? null });
    rootOf(bodyResult).parent = headerResult;
    this.options.task_id = header.options.task_id;
    return bodyResult;
  }

  /**
   * Applies the chord: `args` are prepended to every mutable header member's args; `options`
   * (parent_id, root_id, chain… from a worker continuing a workflow) are merged into the body and
   * passed to the header members (except chain/chord/task_id). An empty header sends the body at
   * once with `[[]]`. Resolves to the body's result, whose parent is the header GroupResult.
   */
  override async applyAsync(args: unknown[] = [], _kwargs: Record<string, unknown> = {}, options: TaskOptions = {}): Promise<CanvasResult> {
    const app = this.requireApp();
    const partialArgs = args.length && !this.immutable ? [...args, ...this.args] : this.args;
    const { task_id: explicitId, ...bodyOptions } = options;
    const body = this.requireBody().clone(undefined, undefined, bodyOptions);
    const header = this.#headerFrozen ? (this.header as Group).clone() : new Group(this.tasks, {}, app);
    const merged: TaskOptions = { ...this.options, ...options };
    const taskId = explicitId ?? merged.task_id;
    delete merged.task_id;
    return this.run(app, header, body, partialArgs, taskId, merged);
  }

  private async run(app: CanvasApp, header: Group, body: Signature, partialArgs: unknown[], taskId: string | undefined, options: TaskOptions): Promise<CanvasResult> {
    const groupId = header.options.task_id ?? app.newId();
    const rootId = body.options.root_id ?? null;
    Object.assign(body.options, options);
    const bodyResult = body.freeze(taskId, { root_id: rootId });
    // Chains and chords of an enclosing workflow belong to the body, not to the header tasks.
    const { chain: _chain, chord: _chord, ...headerOptions } = options;
    const [, headerResults] = header.freezeGroupTasks({ group_id: groupId, chord: body, root_id: rootId });
    let headerResult: CanvasResult;
    if (header.tasks.length > 0) {
      headerResult = await header.applyAsync(partialArgs, {}, { ...headerOptions, task_id: groupId });
    } else {
      await body.delay([]);
      headerResult = app.groupResult(groupId, headerResults);
    }
    bodyResult.parent = headerResult;
    return bodyResult;
  }
}

function rootOf(result: CanvasResult): CanvasResult {
  const seen = new Set<string>();
  let node = result;
  while (node.parent) {
    if (seen.has(node.id)) throw new InvalidCanvas(`Result ${node.id} is its own ancestor: a frozen signature was reused inside its own workflow.`);
    seen.add(node.id);
    node = node.parent;
  }
  return node;
}

/** `chord(header, body)`: a group or chain header contributes its members, as in Celery. */
export function chord(header: Signature[] | Signature, body: Signature | null = null, options: TaskOptions = {}): Chord {
  return new Chord([...headerTasks(header)], body, options);
}
