// The context of the task running in the current async call chain; mirrors celery's current_task / Task.request (thread-local in Python, AsyncLocalStorage here).

import { AsyncLocalStorage } from "node:async_hooks";
import { CeleryError } from "../errors";
import type { TaskContext } from "./task-context";

const storage = new AsyncLocalStorage<TaskContext>();

/** Runs `fn` with `context` as the current task context. */
export function runWithTaskContext<T>(context: TaskContext, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * The running task's context (request, `retry()`, abort `signal`), from anywhere inside a task
 * implementation run by a Worker. Throws when called outside one.
 */
export function currentTask(): TaskContext {
  const context = storage.getStore();
  if (!context) throw new CeleryError("IMPROPERLY_CONFIGURED", "currentTask() was called outside a task run by a Celeriac worker: call it from inside the task implementation.");
  return context;
}
