// Worker throughput benchmark: the celeriac worker against a Python Celery 5.2 prefork worker (-c 2),
// each draining the same number of queued no-op tasks from Redis with results stored in Redis, same
// run, same settings as test/python/peer.py (task_track_started, result_extended, task events).
// Usage: npm run bench:worker -- [count] [concurrency[,concurrency…]]   (default 5000 tasks, our concurrency 64)
// Several concurrencies make a sweep: each drains its own fresh queue of `count` tasks, every figure
// and its ratio are printed; the Python worker is always the same -c 2 prefork run.

import { loadavg } from "node:os";
import { Redis } from "ioredis";
import { Celery, createBackend, createBroker } from "../src/celery/index";
import { startPythonWorker } from "../test/support/python-celery";

const COUNT = Number(process.argv[2] ?? 5_000);
const CONCURRENCIES = (process.argv[3] ?? "64").split(",").map(Number);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/0";
const WINDOW = 256;

const quiet = { info: () => undefined, warn: () => undefined, error: (message: string) => console.error(message) };

async function publish(app: Celery, queue: string): Promise<string[]> {
  const ids: string[] = [];
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < COUNT; i++) {
    const sent = app.sendTask("seedflow.noop", [], {}, { queue }).then((result) => ids.push(result.id));
    const tracked: Promise<unknown> = sent.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= WINDOW) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return ids;
}

/** Resolves once the queue is empty and every id has a result document; returns seconds since `start`. */
async function drained(redis: Redis, queue: string, ids: string[], start: number): Promise<number> {
  // Polling every key would load the Redis under test: wait for the queue first, then check keys.
  while ((await redis.llen(queue)) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  let pending = ids.map((id) => `celery-task-meta-${id}`);
  while (pending.length > 0) {
    const flags = await redis.pipeline(pending.map((key) => ["exists", key])).exec();
    pending = pending.filter((_, i) => flags?.[i]?.[1] === 0);
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return (performance.now() - start) / 1000;
}

/** Seconds our worker at `concurrency` takes to drain `COUNT` queued tasks (start-up included). */
async function drainOurs(producer: Celery, redis: Redis, concurrency: number): Promise<number> {
  // Messages wait in the queue, then the worker starts and drains them.
  const queue = `bench-ts-${process.pid}-${concurrency}`;
  const ids = await publish(producer, queue);
  const app = new Celery({ broker: createBroker(REDIS_URL), backend: createBackend(REDIS_URL), defaultQueue: queue });
  app.task("seedflow.noop", () => null);
  // The same work as the peer worker does per task: STARTED + SUCCESS writes and task events.
  const worker = app.worker({ queues: [queue], concurrency, hostname: `bench-ts@${process.pid}`, trackStarted: true, sendEvents: true, logger: quiet });
  const start = performance.now();
  await worker.start();
  const seconds = await drained(redis, queue, ids, start);
  await worker.stop();
  await app.close();
  return seconds;
}

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const producer = new Celery({ broker: createBroker(REDIS_URL), backend: createBackend(REDIS_URL) });
  await producer.connect();
  const loadBefore = loadavg()[0]!;

  const ours: [number, number][] = [];
  for (const concurrency of CONCURRENCIES) ours.push([concurrency, await drainOurs(producer, redis, concurrency)]);

  // Python: the same queued messages; timed from its "ready." line (start-up is not counted).
  const pyQueue = `bench-py-${process.pid}`;
  const pyIds = await publish(producer, pyQueue);
  const python = await startPythonWorker({ brokerUrl: REDIS_URL, backendUrl: REDIS_URL, queue: pyQueue }, ["--without-heartbeat"]);
  const start = performance.now();
  const theirs = await drained(redis, pyQueue, pyIds, start);
  await python.stop();
  await producer.close();
  await redis.quit();

  const theirsRate = COUNT / theirs;
  for (const [concurrency, seconds] of ours) {
    const oursRate = COUNT / seconds;
    console.log(`celeriac worker (concurrency ${concurrency}): ${COUNT} no-op tasks in ${seconds.toFixed(2)} s = ${oursRate.toFixed(0)} tasks/s  (ratio ${(oursRate / theirsRate).toFixed(2)}×)`);
  }
  console.log(`python celery 5.2 prefork -c 2:     ${COUNT} no-op tasks in ${theirs.toFixed(2)} s = ${theirsRate.toFixed(0)} tasks/s`);
  if (ours.length === 1) console.log(`ratio: ${(COUNT / ours[0]![1] / theirsRate).toFixed(2)}×`);
  // The machine is shared: a loaded one slows both sides, not always equally.
  console.log(`load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}`);
}

await main();
