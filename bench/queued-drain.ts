// How the worker benchmarks time a drain the same way for every worker: the tasks are published
// first to a staging list no worker reads; the worker under test starts on its empty queue and is
// waited for until ready; then one RENAME moves the whole staging list into its queue (waking its
// BRPOP) and the clock runs until every task has a result. Start-up is out for every side alike.

import type { Redis } from "ioredis";
import type { Celery } from "../src/celery/index";

const WINDOW = 256;

/** Publishes `count` calls of `task` with `args` to the staging list `staging`; returns their ids. */
export async function stageTasks(producer: Celery, staging: string, task: string, args: unknown[], count: number): Promise<string[]> {
  const ids: string[] = [];
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < count; i++) {
    const sent = producer.sendTask(task, args, {}, { queue: staging }).then((result) => ids.push(result.id));
    const tracked: Promise<unknown> = sent.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= WINDOW) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return ids;
}

/** Moves the staged tasks into `queue` at once and resolves with the seconds until all have results. */
export async function drainStaged(redis: Redis, staging: string, queue: string, ids: string[]): Promise<number> {
  const start = performance.now();
  await redis.rename(staging, queue);
  // Polling every key would load the Redis under test: wait for the queue first, then check keys.
  while ((await redis.llen(queue)) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  let pending = ids.map((id) => `celery-task-meta-${id}`);
  while (pending.length > 0) {
    const flags = await redis.pipeline(pending.map((key) => ["exists", key])).exec();
    pending = pending.filter((_, i) => flags?.[i]?.[1] === 0);
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - start) / 1000;
  await redis.del(queue, staging);
  await redis.unlink(...ids.map((id) => `celery-task-meta-${id}`));
  return seconds;
}

/**
 * Over Redis a Python worker issues its first BRPOP on its event loop's first tick, just after it
 * prints " ready.": give it that moment before the tasks appear.
 */
export const PYTHON_FIRST_POLL_MS = 500;
