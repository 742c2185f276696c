// CPU-bound tasks: how long each pool takes to drain N tasks that each hold a CPU for `ms`, and how
// late the worker answers a ping meanwhile (heartbeats and remote control wait the same way):
// our async pool, our threads pool and a Python Celery 5.2 prefork worker, all at concurrency 2 on
// the same Redis, same run. Usage: npm run bench:cpu -- [tasks] [ms]   (default 40 tasks × 250 ms)

import { availableParallelism, loadavg } from "node:os";
import { Redis } from "ioredis";
import { Celery, createBackend, createBroker } from "../src/celery/index";
import { startPythonWorker } from "../test/support/python-celery";
import { app as cpuApp } from "./cpu-app";

const COUNT = Number(process.argv[2] ?? 40);
const MS = Number(process.argv[3] ?? 250);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/0";
const quiet = { info: () => undefined, warn: () => undefined, error: (message: string) => console.error(message) };

interface Run {
  label: string;
  seconds: number;
  /** Worst and median time for a ping to be answered while the tasks ran, ms. */
  worstPingMs: number;
  medianPingMs: number;
}

async function publish(producer: Celery, queue: string): Promise<string[]> {
  const results = await Promise.all(Array.from({ length: COUNT }, () => producer.sendTask("seedflow.spin", [MS], {}, { queue })));
  return results.map((result) => result.id);
}

/** Waits until every task has a result while pinging the worker every 100 ms; seconds from `start`. */
async function measure(label: string, producer: Celery, redis: Redis, hostname: string, ids: string[], start: number): Promise<Run> {
  const pings: number[] = [];
  let done = false;
  const pinger = (async () => {
    while (!done) {
      const sent = performance.now();
      const replies = await producer.control.ping({ destination: [hostname], timeout: 5_000 });
      if (replies.length > 0) pings.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  let pending = ids.map((id) => `celery-task-meta-${id}`);
  while (pending.length > 0) {
    const flags = await redis.pipeline(pending.map((key) => ["exists", key])).exec();
    pending = pending.filter((_, i) => flags?.[i]?.[1] === 0);
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - start) / 1000;
  done = true;
  await pinger;
  const sorted = [...pings].sort((a, b) => a - b);
  return { label, seconds, worstPingMs: sorted.at(-1) ?? NaN, medianPingMs: sorted[Math.floor(sorted.length / 2)] ?? NaN };
}

async function ours(producer: Celery, redis: Redis, pool: "async" | "threads"): Promise<Run> {
  const queue = `bench-cpu-${pool}-${process.pid}`;
  const ids = await publish(producer, queue);
  const hostname = `bench-${pool}@${process.pid}`;
  const worker = cpuApp.worker({
    queues: [queue],
    concurrency: 2,
    pool,
    threads: { module: new URL("./cpu-app.ts", import.meta.url), preload: [import.meta.resolve("tsx/esm/api")] },
    hostname,
    prefetchMultiplier: 1,
    logger: quiet,
  });
  // Timed from the start: our threads pool loads the app in each thread first, counted here.
  const start = performance.now();
  await worker.start();
  const run = await measure(`celeriac ${pool} pool -c 2`, producer, redis, hostname, ids, start);
  await worker.stop();
  return run;
}

async function python(producer: Celery, redis: Redis): Promise<Run> {
  const queue = `bench-cpu-py-${process.pid}`;
  const ids = await publish(producer, queue);
  const peer = await startPythonWorker({ brokerUrl: REDIS_URL, backendUrl: REDIS_URL, queue, appModule: "spin_peer" }, ["--without-heartbeat", "--prefetch-multiplier", "1"]);
  // Timed from its "ready." line (its start-up is not counted, as in bench/worker.ts).
  const run = await measure("python celery 5.2 prefork -c 2", producer, redis, peer.hostname, ids, performance.now());
  await peer.stop();
  return run;
}

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const producer = new Celery({ broker: createBroker(REDIS_URL), backend: createBackend(REDIS_URL) });
  await producer.connect();
  await cpuApp.connect();
  const loadBefore = loadavg()[0]!;
  const runs = [await ours(producer, redis, "async"), await ours(producer, redis, "threads"), await python(producer, redis)];
  await cpuApp.close();
  await producer.close();
  await redis.quit();
  const peer = runs[2]!;
  console.log(`${COUNT} CPU-bound tasks × ${MS} ms (${((COUNT * MS) / 1000).toFixed(0)} CPU-seconds), Redis, concurrency 2, ${availableParallelism()} cores`);
  console.log("| pool | drain time | ratio to Python | ping reply while busy, median / worst |");
  console.log("|---|---|---|---|");
  for (const run of runs) {
    console.log(`| ${run.label} | ${run.seconds.toFixed(2)} s | ×${(peer.seconds / run.seconds).toFixed(2)} | ${run.medianPingMs.toFixed(0)} / ${run.worstPingMs.toFixed(0)} ms |`);
  }
  console.log(`load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}`);
}

await main();
