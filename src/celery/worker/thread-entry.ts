// One thread of the threads pool: loads the app module, then runs the jobs the pool sends, one at a
// time, with the task's own implementation, currentTask() and error classes. Results, chains,
// events and acks stay with the worker in the main thread; a retry is published there.

import { parentPort, workerData } from "node:worker_threads";
import { appOfModule } from "../app/app-of-module";
import type { Celery } from "../app/celery";
import { TaskContext } from "./task-context";
import { type FromThread, type ThreadData, type ThreadError, threadError, type ToThread } from "./thread-messages";
import { Ignore, Reject, Retry, SoftTimeLimitExceeded } from "./worker-errors";
import { matchesAny, retryPolicyOf, workerTaskFrom } from "./worker-task";

const port = parentPort!;
const send = (message: FromThread) => port.postMessage(message);

// A job in progress: its abort signal, and the pending answer to its retry publish.
interface RunningJob {
  abort: AbortController;
  retryPublished?: (error: ThreadError | null) => void;
}

const running = new Map<number, RunningJob>();

async function run(app: Celery, message: Extract<ToThread, { type: "run" }>): Promise<void> {
  const { job, name, request } = message;
  const task = workerTaskFrom(app.tasks.get(name));
  if (!task) {
    send({ type: "failed", job, error: threadError(new Error(`Task ${name} has no implementation in ${(workerData as ThreadData).module} as loaded by the thread`), false) });
    return;
  }
  const abort = new AbortController();
  const entry: RunningJob = { abort };
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
    if (error instanceof Retry) send({ type: "retry", job, exc: error.exc ? threadError(error.exc, false) : null, when: error.when });
    else if (error instanceof Ignore) send({ type: "ignore", job, reason: error.message });
    else if (error instanceof Reject) send({ type: "reject", job, reason: error.message, requeue: error.requeue });
    else send({ type: "failed", job, error: threadError(error, task.autoretryFor !== undefined && matchesAny(error, task.autoretryFor)) });
  } finally {
    running.delete(job);
  }
}

// The pool's bootstrap has imported the preload modules (the TypeScript loader) before this file.
try {
  const { module } = workerData as ThreadData;
  const app = appOfModule((await import(module)) as { app?: unknown; default?: unknown }, module);
  port.on("message", (message: ToThread) => {
    if (message.type === "run") void run(app, message);
    else if (message.type === "softTimeLimit") running.get(message.job)?.abort.abort(new SoftTimeLimitExceeded(message.seconds));
    else running.get(message.job)?.retryPublished?.(message.error);
  });
  send({ type: "ready" });
} catch (error) {
  send({ type: "loadFailed", message: error instanceof Error ? error.message : String(error) });
}
