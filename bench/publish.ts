// Publish benchmark: Celeriac's applyAsync against Python Celery's send_task (its fastest way to
// publish), same broker, same run, each figure the median and range of several runs.
// Usage: npm run bench:publish -- [--count n] [--runs n]   (default 20000 tasks, 3 runs; needs Redis, RabbitMQ, python3-celery)
//
// Python publishes one task at a time (apply_async blocks), so its single figure is compared with
// ours awaiting each publish, and with ours keeping 256 publishes in flight (what many concurrent
// callers of one Celeriac app do). On RabbitMQ both sides are measured without publisher confirms
// (kombu's default) and with them (Celeriac's default; Python's `confirm_publish: True`).

import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { AmqpBroker, type Broker, Celery, createBroker } from "../src/celery/index";
import { formatRuns, ratio, type Runs, summarize } from "./repeat";

const { values: args } = parseArgs({ options: { count: { type: "string", default: "20000" }, runs: { type: "string", default: "3" } } });
const COUNT = Number(args.count);
const RUNS = Number(args.runs);
if (!(COUNT > 0) || !(RUNS > 0)) throw new Error("--count and --runs take positive whole numbers");
const BROKERS = {
  redis: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/0",
  rabbitmq: process.env.BENCH_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672//",
};
const WINDOW = 256;

function progress(label: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${label}…`.padEnd(80));
}

async function withApp<T>(make: () => Broker, queue: string, body: (app: Celery) => Promise<T>): Promise<T> {
  const app = new Celery({ broker: make(), defaultQueue: queue });
  await app.connect();
  const add = app.task<[number, number], number>("seedflow.add");
  for (let i = 0; i < 50; i++) await add.delay(1, 2);
  try {
    return await body(app);
  } finally {
    await app.broker.purge(queue);
    await app.broker.deleteQueue(queue);
    await app.close();
  }
}

/** Tasks/s awaiting each publish before the next. */
async function sequential(app: Celery): Promise<number> {
  const add = app.task<[number, number], number>("seedflow.add");
  const start = performance.now();
  for (let i = 0; i < COUNT; i++) await add.delay(i, i);
  return COUNT / ((performance.now() - start) / 1000);
}

/** Tasks/s with WINDOW publishes in flight. */
async function pipelined(app: Celery): Promise<number> {
  const add = app.task<[number, number], number>("seedflow.add");
  const start = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < COUNT; i++) {
    const p = add.delay(i, i).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= WINDOW) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return COUNT / ((performance.now() - start) / 1000);
}

async function python(brokerUrl: string, queue: string, confirm: boolean): Promise<number> {
  const out = execFileSync("/usr/bin/python3", ["bench/python/publish.py", brokerUrl, queue, String(COUNT), ...(confirm ? ["--confirm"] : [])], { encoding: "utf8" });
  const broker = createBroker(brokerUrl);
  await broker.connect();
  await broker.purge(queue);
  await broker.deleteQueue(queue);
  await broker.close();
  return (JSON.parse(out.trim().split("\n").pop()!) as { rate: number }).rate;
}

interface Variant {
  name: string;
  url: string;
  /** Python with publisher confirms (RabbitMQ only). */
  confirm: boolean;
  make: () => Broker;
}

const variants: Variant[] = [
  { name: "Redis", url: BROKERS.redis, confirm: false, make: () => createBroker(BROKERS.redis) },
  { name: "RabbitMQ, no publisher confirms (kombu's default)", url: BROKERS.rabbitmq, confirm: false, make: () => new AmqpBroker(BROKERS.rabbitmq, { confirmPublish: false }) },
  { name: "RabbitMQ, publisher confirms (Celeriac's default)", url: BROKERS.rabbitmq, confirm: true, make: () => new AmqpBroker(BROKERS.rabbitmq) },
];

const rows: string[] = [];
for (const variant of variants) {
  const queue = `bench-publish-${process.pid}`;
  // The three measurements interleave run by run, so a slow minute of the machine hits all of them.
  const theirs: number[] = [];
  const oursSequential: number[] = [];
  const oursPipelined: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    progress(`${variant.name}, run ${run}/${RUNS}: Python`);
    theirs.push(await python(variant.url, queue, variant.confirm));
    progress(`${variant.name}, run ${run}/${RUNS}: Celeriac`);
    await withApp(variant.make, queue, async (app) => {
      oursSequential.push(await sequential(app));
      oursPipelined.push(await pipelined(app));
    });
  }
  const [py, seq, pipe] = [theirs, oursSequential, oursPipelined].map(summarize) as [Runs, Runs, Runs];
  rows.push(`| ${variant.name} | ${formatRuns(py)} | ${formatRuns(seq)} | ${ratio(seq, py)} | ${formatRuns(pipe)} | ${ratio(pipe, py)} |`);
}
if (process.stderr.isTTY) process.stderr.write("\n");
console.log(`Publish rate, tasks/s, ${COUNT} tasks per run, median (range) of ${RUNS} runs, one process each`);
console.log("| broker | Python Celery 5.2.6 send_task | Celeriac, await each | ratio | Celeriac, 256 in flight | ratio |");
console.log("|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
