// The worker's threads pool (`pool: "threads"`, `celeriac worker -P threads`): each task runs in a
// worker thread that loaded the app module itself, so CPU-bound work no longer holds the event
// loop that sends heartbeats and answers remote control, and a hard time limit or
// `revoke --terminate` stops the task for real, by terminating its thread (Celery's prefork kills
// the child process). Everything else — results, chains, chords, events, acks — stays in the
// worker's own thread.

import { extname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker as NodeWorker } from "node:worker_threads";
import { ImproperlyConfigured } from "../errors";
import type { TaskContext } from "./task-context";
import { type FromThread, type ThreadData, type ThreadError, threadError, type ToThread } from "./thread-messages";
import { Ignore, Reject, Retry, SoftTimeLimitExceeded, WorkerLostError } from "./worker-errors";
import type { WorkerTask } from "./worker-task";

export interface ThreadPoolOptions {
  /** The module that exports the app (a path, relative to the working directory, or a URL); every thread imports it. */
  module: string | URL;
  /** Imported in each thread before the module; one exporting `register()` has it called (tsx/esm/api). */
  preload?: readonly string[];
  /** How many threads to keep: the worker's concurrency, which pool_grow/shrink change. */
  size: () => number;
}

/** An error a task threw in its thread, rebuilt with the exception document the thread made of it. */
export class ThreadTaskError extends Error {
  readonly excType: string;
  readonly excMessage: unknown[];
  readonly excModule: string | null;
  /** The task's autoretryFor selected it (its error classes live in the thread). */
  readonly autoretry: boolean;
  constructor(error: ThreadError) {
    super(error.message);
    this.name = error.exc.exc_type;
    this.excType = error.exc.exc_type;
    this.excMessage = error.exc.exc_message;
    this.excModule = error.exc.exc_module ?? null;
    this.autoretry = error.autoretry;
    // The thread's frames, so the traceback shows where the task failed.
    this.stack = error.stack;
  }
}

// An eval'd CommonJS bootstrap: it can import the TypeScript loader before any .ts file is read.
const BOOTSTRAP = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  for (const specifier of workerData.preload) {
    const loaded = await import(specifier);
    if (typeof loaded.register === "function") loaded.register();
  }
  await import(workerData.entry);
})().catch((error) => parentPort.postMessage({ type: "loadFailed", message: error && error.message ? error.message : String(error) }));
`;

// The entry beside this file, with this file's own extension (.ts when run from source).
const ENTRY = new URL(`./thread-entry${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;

interface Job {
  id: number;
  context: TaskContext;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

class PooledThread {
  readonly thread: NodeWorker;
  readonly ready: Promise<void>;
  job: Job | null = null;
  /** Terminated on purpose (hard limit, terminate, shrink, close): its exit is no loss. */
  stopped = false;

  constructor(data: ThreadData & { entry: string }, onLost: (thread: PooledThread, reason: string) => void) {
    this.thread = new NodeWorker(BOOTSTRAP, { eval: true, workerData: data });
    this.ready = new Promise<void>((resolve, reject) => {
      const first = (message: FromThread) => {
        if (message.type === "ready") resolve();
        else if (message.type === "loadFailed") {
          void this.stop();
          reject(new ImproperlyConfigured(`The threads pool could not load ${data.module} in a thread: ${message.message}`));
        }
        else return;
        this.thread.off("message", first);
        this.thread.on("message", (next: FromThread) => this.onMessage(next));
      };
      this.thread.on("message", first);
      this.thread.once("error", (error) => reject(new ImproperlyConfigured(`The threads pool could not start a thread for ${data.module}: ${error.message}`)));
    });
    this.ready.catch(() => undefined);
    this.thread.on("error", (error) => onLost(this, error.message));
    this.thread.on("exit", (code) => {
      if (!this.stopped) onLost(this, `exited with code ${code}`);
    });
  }

  post(message: ToThread): void {
    this.thread.postMessage(message);
  }

  stop(): Promise<number> {
    this.stopped = true;
    return this.thread.terminate();
  }

  private onMessage(message: FromThread): void {
    const job = this.job;
    if (!job || !("job" in message) || message.job !== job.id) return;
    switch (message.type) {
      case "succeeded":
        return job.resolve(message.value);
      case "failed":
        return job.reject(new ThreadTaskError(message.error));
      case "retry":
        return job.reject(new Retry(message.exc ? new ThreadTaskError(message.exc) : null, message.when));
      case "ignore":
        return job.reject(new Ignore(message.reason));
      case "reject":
        return job.reject(new Reject(message.reason, message.requeue));
      case "publishRetry":
        job.context.publishRetry(message.args, message.kwargs, message.options).then(
          () => this.post({ type: "retryPublished", job: job.id, error: null }),
          (error: unknown) => this.post({ type: "retryPublished", job: job.id, error: threadError(error, false) }),
        );
    }
  }
}

/** Threads that each loaded the app; a job runs in an idle one (a new one when none is idle). */
export class ThreadPool {
  private readonly data: ThreadData & { entry: string };
  private readonly idle: PooledThread[] = [];
  private readonly busy = new Set<PooledThread>();
  private nextJob = 1;

  constructor(private readonly options: ThreadPoolOptions) {
    const { module } = options;
    const url = module instanceof URL ? module.href : module.startsWith("file:") ? module : pathToFileURL(resolve(module)).href;
    this.data = { module: url, preload: [...(options.preload ?? [])], entry: ENTRY };
  }

  /** Starts `size()` threads and waits until each has loaded the app; rejects with what failed. */
  async start(): Promise<void> {
    const threads = Array.from({ length: this.options.size() }, () => this.spawn());
    try {
      await Promise.all(threads.map((thread) => thread.ready));
    } catch (error) {
      await Promise.all(threads.map((thread) => thread.stop()));
      throw error;
    }
    this.idle.push(...threads);
  }

  /** The task as the worker runs it: its implementation called in a thread. */
  wrap(task: WorkerTask): WorkerTask {
    return {
      ...task,
      // The thread decided whether its own error classes match; only its verdict crosses over.
      autoretryFor: task.autoretryFor ? [(error: unknown) => error instanceof ThreadTaskError && error.autoretry] : undefined,
      run: (context) => this.run(task.name, context),
    };
  }

  /** Terminates every thread; a task still running is lost, as in a cold shutdown. */
  async close(): Promise<void> {
    const all = [...this.idle, ...this.busy];
    this.idle.length = 0;
    this.busy.clear();
    await Promise.all(all.map((thread) => thread.stop()));
  }

  private spawn(): PooledThread {
    return new PooledThread(this.data, (thread, reason) => this.lost(thread, reason));
  }

  private async run(name: string, context: TaskContext): Promise<unknown> {
    const thread = this.idle.pop() ?? this.spawn();
    this.busy.add(thread);
    const id = this.nextJob++;
    const onAbort = () => {
      const reason: unknown = context.signal.reason;
      if (reason instanceof SoftTimeLimitExceeded) thread.post({ type: "softTimeLimit", job: id, seconds: Number(reason.excMessage[0]) });
      // A hard time limit or revoke --terminate: the task cannot be trusted to stop, its thread is.
      else void this.retire(thread);
    };
    try {
      // A thread started for this job (after a hard limit ended one) loads the app first.
      await thread.ready;
      return await new Promise<unknown>((resolve, reject) => {
        thread.job = { id, context, resolve, reject };
        if (context.signal.aborted) onAbort();
        else context.signal.addEventListener("abort", onAbort, { once: true });
        thread.post({ type: "run", job: id, name, request: context.request });
      });
    } finally {
      context.signal.removeEventListener("abort", onAbort);
      thread.job = null;
      this.release(thread);
    }
  }

  private release(thread: PooledThread): void {
    if (!this.busy.delete(thread) || thread.stopped) return;
    if (this.idle.length + this.busy.size >= this.options.size()) void thread.stop();
    else this.idle.push(thread);
  }

  private async retire(thread: PooledThread): Promise<void> {
    thread.job?.reject(new WorkerLostError(`The thread running the task was terminated (time limit or revoke --terminate).`));
    await thread.stop();
  }

  private lost(thread: PooledThread, reason: string): void {
    const index = this.idle.indexOf(thread);
    if (index >= 0) this.idle.splice(index, 1);
    thread.stopped = true;
    thread.job?.reject(new WorkerLostError(`Worker exited prematurely: the thread running the task ${reason}.`));
  }
}
