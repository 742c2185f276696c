// CPU-bound tasks: how long each pool takes to drain N tasks that each hold a CPU for `ms`, and how
// late the worker answers a ping meanwhile (heartbeats and remote control wait the same way):
// our async pool, our threads pool and a Python Celery 5.2.6 prefork worker, all at concurrency 2 on
// the same Redis, timed alike (bench/queued-drain.ts: start-up out for every side, our threads
// loading the app included in start-up), median and range of several runs.
// Usage: npm run bench:cpu -- [--tasks n] [--ms n] [--runs n]   (default 40 tasks × 250 ms, 3 runs)

import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { Celery, createBackend, createBroker } from "../src/celery/index";
import { startPythonWorker } from "../test/support/python-celery";
import { app as cpuApp } from "./cpu-app";
import { drainStaged, PYTHON_FIRST_POLL_MS, stageTasks } from "./queued-drain";
import { formatRuns, type Runs, summarize } from "./repeat";

const { values: args } = parseArgs({ options: { tasks: { type: "string", default: "40" }, ms: { type: "string", default: "250" }, runs: { type: "string", default: "3" } } });
const COUNT = Number(args.tasks);
const MS = Number(args.ms);
const RUNS = Number(args.runs);
if (!(COUNT > 0) || !(MS > 0) || !(RUNS > 0)) throw new Error("--tasks, --ms and --runs take positive whole numbers");
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/0";
const quiet = { info: () => undefined, warn: () => undefined, error: (message: string) => console.error(message) };

interface Drain {
  seconds: number;
  /** Every ping's reply time while the tasks ran, ms. */
  pings: number[];
}

/** A worker under test, started ready on `queue`: its node name and how to stop it. */
interface Contender {
  label: string;
  start(queue: string, run: number): Promise<{ hostname: string; stop(): Promise<void> }>;
}

const ours = (pool: "async" | "threads"): Contender => ({
  label: `celeriac ${pool} pool -c 2`,
  async start(queue, run) {
    const hostname = `bench-${pool}-${run}@${process.pid}`;
    const worker = cpuApp.worker({
      queues: [queue],
      concurrency: 2,
      pool,
      threads: { module: new URL("./cpu-app.ts", import.meta.url), preload: [import.meta.resolve("tsx/esm/api")] },
      hostname,
      prefetchMultiplier: 1,
      logger: quiet,
    });
    await worker.start();
    return { hostname, stop: () => worker.stop() };
  },
});

const python: Contender = {
  label: "python celery 5.2.6 prefork -c 2",
  async start(queue) {
    const peer = await startPythonWorker({ brokerUrl: REDIS_URL, backendUrl: REDIS_URL, queue, appModule: "spin_peer" }, ["--without-heartbeat", "--prefetch-multiplier", "1"]);
    await new Promise((resolve) => setTimeout(resolve, PYTHON_FIRST_POLL_MS));
    return { hostname: peer.hostname, stop: () => peer.stop() };
  },
};

/** Drains the staged tasks while pinging the worker every 100 ms. */
async function drain(contender: Contender, producer: Celery, redis: Redis, run: number): Promise<Drain> {
  const queue = `bench-cpu-${process.pid}-${run}-${contender.label.replace(/\W+/g, "-")}`;
  const staging = `${queue}.staging`;
  const ids = await stageTasks(producer, staging, "seedflow.spin", [MS], COUNT);
  const worker = await contender.start(queue, run);
  const pings: number[] = [];
  let done = false;
  const pinger = (async () => {
    while (!done) {
      const sent = performance.now();
      const replies = await producer.control.ping({ destination: [worker.hostname], timeout: 5_000 });
      if (replies.length > 0) pings.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const seconds = await drainStaged(redis, staging, queue, ids);
  done = true;
  await pinger;
  await worker.stop();
  return { seconds, pings };
}

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const producer = new Celery({ broker: createBroker(REDIS_URL), backend: createBackend(REDIS_URL) });
  await producer.connect();
  await cpuApp.connect();
  const loadBefore = loadavg()[0]!;
  const contenders = [ours("async"), ours("threads"), python];
  const drains = new Map<Contender, Drain[]>(contenders.map((contender) => [contender, []]));
  // Run by run, every contender once, so a slow stretch of the shared machine hits all of them.
  for (let run = 1; run <= RUNS; run++) {
    for (const contender of contenders) {
      if (process.stderr.isTTY) process.stderr.write(`\rrun ${run}/${RUNS}: ${contender.label}…`.padEnd(60));
      drains.get(contender)!.push(await drain(contender, producer, redis, run));
    }
  }
  if (process.stderr.isTTY) process.stderr.write("\n");
  await cpuApp.close();
  await producer.close();
  await redis.quit();

  const seconds = (contender: Contender): Runs => summarize(drains.get(contender)!.map((d) => d.seconds));
  const peer = seconds(python);
  console.log(`${COUNT} CPU-bound tasks × ${MS} ms (${((COUNT * MS) / 1000).toFixed(0)} CPU-seconds), Redis, concurrency 2, ${availableParallelism()} cores; median (range) of ${RUNS} runs`);
  console.log("| pool | drain time, s | speed relative to Python | ping reply while busy, median / worst ms (all runs) |");
  console.log("|---|---|---|---|");
  for (const contender of contenders) {
    const runs = seconds(contender);
    const pings = drains.get(contender)!.flatMap((d) => d.pings);
    const replies = pings.length > 0 ? `${summarize(pings).median.toFixed(0)} / ${summarize(pings).max.toFixed(0)}` : "no reply";
    console.log(`| ${contender.label} | ${formatRuns(runs, 2)} | ×${(peer.median / runs.median).toFixed(2)} | ${replies} |`);
  }
  console.log(`load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}`);
}

await main();
