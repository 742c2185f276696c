// Worker throughput benchmark: the celeriac worker against Python Celery 5.2.6 workers in each of
// their pools (prefork, threads, solo) at the concurrencies that suit a two-core machine, each
// draining the same number of queued no-op tasks from Redis with results stored in Redis and the same
// settings as test/python/peer.py (task_track_started, result_extended, task events).
// Usage: npm run bench:worker -- [--count n] [--runs n]   (default 5000 tasks, 3 runs)
//
// Both sides are timed alike (bench/queued-drain.ts): start-up is out for both.

import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { Celery, createBackend, createBroker } from "../src/celery/index";
import { startPythonWorker } from "../test/support/python-celery";
import { drainStaged, PYTHON_FIRST_POLL_MS, stageTasks } from "./queued-drain";
import { formatRuns, type Runs, summarize } from "./repeat";

const { values: args } = parseArgs({ options: { count: { type: "string", default: "5000" }, runs: { type: "string", default: "3" } } });
const COUNT = Number(args.count);
const RUNS = Number(args.runs);
if (!(COUNT > 0) || !(RUNS > 0)) throw new Error("--count and --runs take positive whole numbers");
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/0";

const quiet = { info: () => undefined, warn: () => undefined, error: (message: string) => console.error(message) };

/** A worker that can be started on a queue and stopped: ours in-process, Python's as a child. */
interface Contender {
  label: string;
  start(queue: string, run: number): Promise<() => Promise<void>>;
}

const ours = (concurrency: number): Contender => ({
  label: `Celeriac async pool -c ${concurrency}`,
  async start(queue, run) {
    const app = new Celery({ broker: createBroker(REDIS_URL), backend: createBackend(REDIS_URL), defaultQueue: queue });
    app.task("seedflow.noop", () => null);
    const worker = app.worker({ queues: [queue], concurrency, hostname: `bench-ts-${concurrency}-${run}@${process.pid}`, trackStarted: true, sendEvents: true, logger: quiet });
    await worker.start();
    return async () => {
      await worker.stop();
      await app.close();
    };
  },
});

const python = (pool: "prefork" | "threads" | "solo", concurrency: number): Contender => ({
  label: `Python ${pool}${pool === "solo" ? "" : ` -c ${concurrency}`}`,
  async start(queue) {
    const worker = await startPythonWorker({ brokerUrl: REDIS_URL, backendUrl: REDIS_URL, queue }, ["-P", pool, "-c", String(concurrency), "--without-heartbeat"]);
    await new Promise((resolve) => setTimeout(resolve, PYTHON_FIRST_POLL_MS));
    return () => worker.stop();
  },
});

const contenders: Contender[] = [
  ours(64),
  ours(2),
  python("prefork", 2),
  python("prefork", 4),
  python("threads", 8),
  python("threads", 32),
  python("solo", 1),
];

/** Tasks/s of one contender draining COUNT tasks that appear in its queue at once. */
async function measure(contender: Contender, producer: Celery, redis: Redis, run: number): Promise<number> {
  const queue = `bench-worker-${process.pid}-${contenders.indexOf(contender)}-${run}`;
  const staging = `${queue}.staging`;
  const ids = await stageTasks(producer, staging, "seedflow.noop", [], COUNT);
  const stop = await contender.start(queue, run);
  const seconds = await drainStaged(redis, staging, queue, ids);
  await stop();
  return COUNT / seconds;
}

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const producer = new Celery({ broker: createBroker(REDIS_URL), backend: createBackend(REDIS_URL) });
  await producer.connect();
  const loadBefore = loadavg()[0]!;

  // Run by run, every contender once, so a slow stretch of the shared machine hits all of them.
  const rates = new Map<Contender, number[]>(contenders.map((contender) => [contender, []]));
  for (let run = 1; run <= RUNS; run++) {
    for (const contender of contenders) {
      if (process.stderr.isTTY) process.stderr.write(`\rrun ${run}/${RUNS}: ${contender.label}…`.padEnd(60));
      rates.get(contender)!.push(await measure(contender, producer, redis, run));
    }
  }
  if (process.stderr.isTTY) process.stderr.write("\n");
  await producer.close();
  await redis.quit();

  const summary = new Map<Contender, Runs>([...rates].map(([contender, values]) => [contender, summarize(values)]));
  const pythons = contenders.filter((contender) => contender.label.startsWith("Python"));
  const strongest = pythons.reduce((best, contender) => (summary.get(contender)!.median > summary.get(best)!.median ? contender : best));
  const prefork = pythons[0]!;
  console.log(`Worker drain, ${COUNT} queued no-op tasks, results in Redis, start-up excluded for both sides; tasks/s, median (range) of ${RUNS} runs`);
  console.log(`| worker | tasks/s | vs Python's strongest (${strongest.label}) | vs Python's default (${prefork.label}) |`);
  console.log("|---|---|---|---|");
  for (const contender of contenders) {
    const runs = summary.get(contender)!;
    const vs = (other: Contender) => `×${(runs.median / summary.get(other)!.median).toFixed(2)}`;
    console.log(`| ${contender.label} | ${formatRuns(runs)} | ${vs(strongest)} | ${vs(prefork)} |`);
  }
  // The machine is shared: a loaded one slows both sides, not always equally.
  console.log(`load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}`);
}

await main();
