// The context of the task running in the current async call chain; mirrors celery's current_task / Task.request (thread-local in Python, AsyncLocalStorage here).

import { AsyncLocalStorage } from "node:async_hooks";
import { CeleryError } from "../errors";
import type { TaskContext } from "./task-context";

const storage = new AsyncLocalStorage<TaskContext>();

// The task whose implementation is being called synchronously right now. It wins over the
// storage: code running in a continuation inherited from an earlier task must still see the
// task actually being called.
let synchronous: TaskContext | undefined;

// Tasks currently running under the storage. On Node 20 an enabled AsyncLocalStorage hooks every
// promise of the process (about an eighth of a busy worker's CPU), so it is enabled only while
// a task that can resume after returning is running, and disabled again when the last one ends.
let propagating = 0;

function release(): void {
  propagating -= 1;
  if (propagating === 0) storage.disable();
}

/**
 * Runs `fn` with `context` as the current task context. With `resumes` (fn may continue after it
 * returns: an async function, or one that has returned a promise), the context follows it across
 * awaits until its promise settles; without, it is set for the synchronous call only, for free.
 */
export function runWithTaskContext<T>(context: TaskContext, fn: () => T, resumes: boolean): T {
  if (!resumes) {
    const outer = synchronous;
    synchronous = context;
    try {
      return fn();
    } finally {
      synchronous = outer;
    }
  }
  propagating += 1;
  let result: T;
  try {
    result = storage.run(context, fn);
  } catch (error) {
    release();
    throw error;
  }
  if (typeof (result as { then?: unknown } | null)?.then === "function") {
    // Settled either way, the task is over; its rejection still reaches the caller.
    (result as PromiseLike<unknown>).then(release, release);
  } else {
    release();
  }
  return result;
}

/**
 * The running task's context (request, `retry()`, abort `signal`), from anywhere inside a task
 * implementation run by a Worker, before or after its awaits, until the task's promise settles.
 * Throws when called outside one. (A plain function that has returned a plain value runs without
 * async propagation next time: if it sometimes returns a promise, make it `async`.)
 */
export function currentTask(): TaskContext {
  const context = synchronous ?? storage.getStore();
  if (!context) throw new CeleryError("IMPROPERLY_CONFIGURED", "currentTask() was called outside a task run by a Celeriac worker: call it from inside the task implementation.");
  return context;
}
