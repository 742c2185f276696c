// One thread of the threads pool: loads the app module, then runs the jobs the pool sends, one at a
// time, with the task's own implementation, currentTask() and error classes. Results, chains,
// events and acks stay with the worker in the main thread; a retry is published there.

import { parentPort, workerData } from "node:worker_threads";
import { Celery } from "../app/celery";
import { describeError } from "./describe-error";
import { TaskContext } from "./task-context";
import type { FromThread, ThreadData, ThreadError, ToThread } from "./thread-messages";
import { Ignore, Reject, Retry, SoftTimeLimitExceeded } from "./worker-errors";
import { matchesAny, retryPolicyOf, type WorkerTask, workerTaskFrom } from "./worker-task";

const port = parentPort!;
const send = (message: FromThread) => port.postMessage(message);

function threadError(error: unknown, task?: WorkerTask): ThreadError {
  const description = describeError(error);
  return {
    exc: description.exc,
    message: error instanceof Error ? error.message : String(error),
    stack: error instanceof Error ? (error.stack ?? "") : "",
    autoretry: task?.autoretryFor !== undefined && matchesAny(error, task.autoretryFor),
  };
}

async function loadApp({ module }: ThreadData): Promise<Celery> {
  const loaded = (await import(module)) as { app?: unknown; default?: unknown };
  const app = loaded.app ?? loaded.default;
  if (!(app instanceof Celery)) throw new Error(`${module} must export its Celery app as \`app\` or as the default export; it exports: ${Object.keys(loaded).join(", ") || "nothing"}.`);
  return app;
}

const running = new Map<number, { abort: AbortController; retryPublished?: (error: ThreadError | null) => void }>();

async function run(app: Celery, message: Extract<ToThread, { type: "run" }>): Promise<void> {
  const { job, name, request } = message;
  const task = workerTaskFrom(app.tasks.get(name));
  if (!task) {
    send({ type: "failed", job, error: threadError(new Error(`Task ${name} has no implementation in ${(workerData as ThreadData).module} as loaded by the thread`)) });
    return;
  }
  const abort = new AbortController();
  const entry: { abort: AbortController; retryPublished?: (error: ThreadError | null) => void } = { abort };
  running.set(job, entry);
  const context = new TaskContext(request, abort.signal, retryPolicyOf(task), (args, kwargs, options) => {
    send({ type: "publishRetry", job, args, kwargs, options });
    return new Promise<void>((resolve, reject) => {
      entry.retryPublished = (error) => (error ? reject(Object.assign(new Error(error.message), { name: error.exc.exc_type })) : resolve());
    });
  });
  try {
    send({ type: "succeeded", job, value: await task.run(context, request.args, request.kwargs) });
  } catch (error) {
    if (error instanceof Retry) send({ type: "retry", job, exc: error.exc ? threadError(error.exc) : null, when: error.when });
    else if (error instanceof Ignore) send({ type: "ignore", job, reason: error.message });
    else if (error instanceof Reject) send({ type: "reject", job, reason: error.message, requeue: error.requeue });
    else send({ type: "failed", job, error: threadError(error, task) });
  } finally {
    running.delete(job);
  }
}

// The pool's bootstrap has imported the preload modules (the TypeScript loader) before this file.
try {
  const app = await loadApp(workerData as ThreadData);
  port.on("message", (message: ToThread) => {
    if (message.type === "run") void run(app, message);
    else if (message.type === "softTimeLimit") running.get(message.job)?.abort.abort(new SoftTimeLimitExceeded(message.seconds));
    else running.get(message.job)?.retryPublished?.(message.error);
  });
  send({ type: "ready" });
} catch (error) {
  send({ type: "loadFailed", message: error instanceof Error ? error.message : String(error) });
}
