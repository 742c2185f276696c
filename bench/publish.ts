// Publish benchmark: TypeScript applyAsync against Python Celery's apply_async, same broker, same run.
// Usage: npm run bench:publish -- [count]   (default 20000; needs Redis, RabbitMQ, python3-celery)

import { execFileSync } from "node:child_process";
import { AmqpBroker, type Broker, Celery, createBroker } from "../src/celery/index";

const COUNT = Number(process.argv[2] ?? 20_000);
const BROKERS = {
  redis: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/0",
  rabbitmq: process.env.BENCH_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672//",
};
const WINDOW = 256;

function progress(label: string, done: number): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${label}: ${done}/${COUNT}`);
}

/** Sequential (await each publish) and pipelined (WINDOW publishes in flight) rates. */
async function measureOurs(broker: Broker, queue: string): Promise<{ sequential: number; pipelined: number }> {
  const brokerUrl = broker.displayUrl;
  const app = new Celery({ broker, defaultQueue: queue });
  await app.connect();
  const add = app.task<[number, number], number>("seedflow.add");
  for (let i = 0; i < 50; i++) await add.delay(1, 2);

  let start = performance.now();
  for (let i = 0; i < COUNT; i++) {
    await add.delay(i, i);
    if (i % 1000 === 0) progress(`ts sequential ${brokerUrl}`, i);
  }
  const sequential = COUNT / ((performance.now() - start) / 1000);

  start = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < COUNT; i++) {
    const p = add.delay(i, i).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= WINDOW) await Promise.race(inFlight);
    if (i % 1000 === 0) progress(`ts pipelined ${brokerUrl}`, i);
  }
  await Promise.all(inFlight);
  const pipelined = COUNT / ((performance.now() - start) / 1000);
  if (process.stderr.isTTY) process.stderr.write("\n");

  await app.broker.purge(queue);
  await app.broker.deleteQueue(queue);
  await app.close();
  return { sequential, pipelined };
}

function measurePython(brokerUrl: string, queue: string): number {
  const out = execFileSync("/usr/bin/python3", ["bench/python/publish.py", brokerUrl, queue, String(COUNT)], { encoding: "utf8" });
  return (JSON.parse(out.trim().split("\n").pop()!) as { rate: number }).rate;
}

async function cleanup(brokerUrl: string, queue: string): Promise<void> {
  const broker = createBroker(brokerUrl);
  await broker.connect();
  await broker.purge(queue);
  await broker.deleteQueue(queue);
  await broker.close();
}

// Python Celery publishes to RabbitMQ without confirms (kombu's default); our default waits for
// them, so RabbitMQ is measured both ways.
const variants: { name: string; url: string; make: () => Broker }[] = [
  { name: "redis", url: BROKERS.redis, make: () => createBroker(BROKERS.redis) },
  { name: "rabbitmq, publisher confirms (our default)", url: BROKERS.rabbitmq, make: () => new AmqpBroker(BROKERS.rabbitmq) },
  { name: "rabbitmq, no confirms (kombu's default)", url: BROKERS.rabbitmq, make: () => new AmqpBroker(BROKERS.rabbitmq, { confirmPublish: false }) },
];

const rows: string[] = [];
const pythonRates = new Map<string, number>();
for (const variant of variants) {
  const queue = `bench-publish-${process.pid}`;
  let python = pythonRates.get(variant.url);
  if (python === undefined) {
    console.error(`${variant.name}: Python Celery apply_async × ${COUNT}…`);
    python = measurePython(variant.url, queue);
    pythonRates.set(variant.url, python);
    await cleanup(variant.url, queue);
  }
  console.error(`${variant.name}: Celeriac applyAsync × ${COUNT}…`);
  const ours = await measureOurs(variant.make(), queue);
  rows.push(
    `| ${variant.name} | ${python.toFixed(0)} | ${ours.sequential.toFixed(0)} (×${(ours.sequential / python).toFixed(1)}) | ${ours.pipelined.toFixed(0)} (×${(ours.pipelined / python).toFixed(1)}) |`,
  );
}
console.log(`Publish rate, tasks/s, ${COUNT} tasks, one process each`);
console.log("| broker | Python Celery 5.2 apply_async | Celeriac, await each | Celeriac, 256 in flight |");
console.log("|---|---|---|---|");
for (const row of rows) console.log(row);
