// map and starmap signatures: one message running a task over many items in-process; mirrors celery.canvas._basemap / xmap / xstarmap.

import type { TaskOptions } from "../protocol/task-options";
import type { CanvasApp } from "./canvas-app";
import { type CanvasResult, Signature } from "./signature";

/** The built-in task each flavour sends. */
export type MapTaskName = "celery.map" | "celery.starmap";

/**
 * `celery.map` (`fn(item)` per item) or `celery.starmap` (`fn(...item)`): args `[]`, kwargs
 * `{task: <sig>, it: [...]}`, immutable. The inner task must be registered in the worker that runs
 * it; no sub-messages are sent. Like Celery, a clone is a plain Signature of the built-in task.
 */
export class XMap extends Signature {
  constructor(name: MapTaskName, task: Signature, it: unknown[], options: TaskOptions = {}, app?: CanvasApp) {
    super({ task: name, args: [], kwargs: { task, it }, options, immutable: true }, app ?? task.app);
  }

  /** The inner task's signature. */
  get mapped(): Signature {
    return this.kwargs.task as Signature;
  }

  get it(): unknown[] {
    return this.kwargs.it as unknown[];
  }

  /**
   * Sends one message with kwargs `{task, it}`. As in Celery, only the `options` given here are
   * used, not the signature's stored options.
   */
  override async applyAsync(_args: unknown[] = [], _kwargs: Record<string, unknown> = {}, options: TaskOptions = {}): Promise<CanvasResult> {
    return new Signature({ task: this.task, kwargs: { task: this.mapped, it: [...this.it] }, immutable: true }, this.requireApp()).applyAsync([], {}, options);
  }
}

/** `task.map(it)`: a celery.map signature. */
export function xmap(task: Signature, it: unknown[], options: TaskOptions = {}): XMap {
  return new XMap("celery.map", task, it, options);
}

/** `task.starmap(it)`: a celery.starmap signature; each item is an argument list. */
export function xstarmap(task: Signature, it: unknown[][], options: TaskOptions = {}): XMap {
  return new XMap("celery.starmap", task, it, options);
}
