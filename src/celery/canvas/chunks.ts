// chunks: a task over many argument lists, split into starmap parts; mirrors celery.canvas.chunks.

import { InvalidCanvas } from "../errors";
import type { TaskOptions } from "../protocol/task-options";
import type { GroupResult } from "../result/group-result";
import type { CanvasApp } from "./canvas-app";
import { Group } from "./group";
import { Signature } from "./signature";
import { XMap } from "./x-map";

/**
 * `celery.chunks`, kwargs `{task, it, n}`, immutable. Applying it does NOT send celery.chunks: the
 * client sends a group of `celery.starmap` messages, one per chunk of `n` items. Only a chunks
 * signature embedded elsewhere (e.g. as a callback) reaches a worker as a celery.chunks message.
 */
export class Chunks extends Signature {
  constructor(task: Signature, it: unknown[][], n: number, options: TaskOptions = {}, app?: CanvasApp) {
    if (!Number.isInteger(n) || n < 1) throw new InvalidCanvas(`chunks: n must be a positive integer (items per celery.starmap message), got ${String(n)}.`);
    super({ task: "celery.chunks", args: [], kwargs: { task, it, n }, options, immutable: true }, app ?? task.app);
  }

  get mapped(): Signature {
    return this.kwargs.task as Signature;
  }

  get it(): unknown[][] {
    return this.kwargs.it as unknown[][];
  }

  get n(): number {
    return this.kwargs.n as number;
  }

  /** The group of celery.starmap signatures this expands to. */
  group(): Group {
    const parts: XMap[] = [];
    for (let start = 0; start < this.it.length; start += this.n) {
      parts.push(new XMap("celery.starmap", this.mapped, this.it.slice(start, start + this.n), {}, this.boundApp));
    }
    return new Group(parts, {}, this.boundApp);
  }

  /** Sends the expanded group; resolves to its GroupResult. */
  override async applyAsync(args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: TaskOptions = {}): Promise<GroupResult> {
    return this.group().applyAsync(args, kwargs, options);
  }
}

/** `task.chunks(it, n)`. */
export function chunks(task: Signature, it: unknown[][], n: number, options: TaskOptions = {}): Chunks {
  return new Chunks(task, it, n, options);
}
