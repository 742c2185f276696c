// Ingest benchmark: sustained events/s from a real broker through the EventIngestor into a writer
// (the store, or a counting writer), with RSS, against the peer in the same run: Python Celery's
// celery.events.state.State fed by app.events.Receiver (Flower's core) on the same event stream.
// Events come from a separate process using our EventDispatcher with task.multi batching, as a
// Celery worker sends them (task-sent, -received, -started, -succeeded per task).
//
// Usage: npx tsx bench/ingest.ts [events] [--store <url>] [--brokers redis,rabbitmq]
//        npx tsx bench/ingest.ts [events] --store-only <url>   (the store's own ceiling: pre-built
//        batches straight into applyBatch, at two batch sizes, one and two writes at a time)
//   events   default 60000 (Redis pub/sub keeps at most 32 MB for a slow subscriber: a much larger
//            burst gets the slower consumer disconnected)
//   --store  memory: (PGlite in memory), pglite:<dir>, postgresql://… ; default: a counting writer
// Redis: both consumers follow the live stream. RabbitMQ: both queues fill first, then both drain.

import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type Broker, createBroker, EventDispatcher } from "../src/celery/index";
import { parseEvent } from "../src/celery/index";
import { EventIngestor } from "../src/server/ingest/event-ingestor";
import { eventObservations } from "../src/server/ingest/event-observations";
import { IngestBuffer } from "../src/server/ingest/ingest-buffer";
import type { HistoryWriter, IngestBatch } from "../src/server/ingest/observation";

const PYTHON = process.env.BENCH_PYTHON ?? "/usr/bin/python3";
const URLS: Record<string, string> = {
  redis: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/0",
  rabbitmq: process.env.BENCH_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672//",
};
const EVENTS_PER_TASK = 4;
// An event exchange of our own (Celery's event_exchange setting): other processes on these brokers
// publish to celeryev, and neither consumer may count their events.
const EXCHANGE = "celeryev.bench";

interface Rate {
  events: number;
  seconds: number;
  rate: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The generator process: publishes `events` task events as fast as the broker takes them.
async function generate(url: string, events: number): Promise<void> {
  const broker = createBroker(url);
  await broker.connect();
  const worker = new EventDispatcher(broker, { hostname: `bench-worker-${process.pid}@localhost`, buffer: true, bufferLimit: 24, exchange: EXCHANGE });
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  for (let task = 0; task < events / EVENTS_PER_TASK; task++) {
    const uuid = randomUUID();
    const sends = [
      worker.send("task-sent", { uuid, name: "seedflow.add", args: `(${task}, 1)`, kwargs: "{}", retries: 0, root_id: uuid, parent_id: null, eta: null, expires: null, queue: "celery", exchange: "", routing_key: "celery" }),
      worker.send("task-received", { uuid, name: "seedflow.add", args: `(${task}, 1)`, kwargs: "{}", retries: 0, root_id: uuid, parent_id: null, eta: null, expires: null }),
      worker.send("task-started", { uuid }),
      worker.send("task-succeeded", { uuid, result: String(task + 1), runtime: 0.0004 }),
    ];
    for (const sent of sends) {
      const tracked: Promise<void> = sent.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    if (inFlight.size >= 4096) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  await worker.close();
  await broker.close();
  console.log(JSON.stringify({ events, seconds, rate: events / seconds }));
}

/** Counts what it is handed: the ingestor's own cost, without a database. */
class CountingWriter implements HistoryWriter {
  observations = 0;
  async applyBatch(batch: IngestBatch): Promise<void> {
    this.observations += batch.tasks.length + batch.workers.length + batch.edges.length;
  }
  async recordQueueSamples(): Promise<void> {}
}

interface Target {
  writer: HistoryWriter;
  label: string;
  close(): Promise<void>;
}

async function openTarget(storeUrl: string | undefined, run: string): Promise<Target> {
  if (!storeUrl) return { writer: new CountingWriter(), label: "counting writer (no database)", close: async () => undefined };
  const { openStore } = await import("../src/server/store/index");
  // A schema of its own on PostgreSQL, so the bench never mixes with other data.
  const url = storeUrl.startsWith("postgres") ? `${storeUrl}${storeUrl.includes("?") ? "&" : "?"}schema=bench_ingest_${run}` : storeUrl;
  const store = await openStore(url);
  return {
    writer: store,
    label: storeUrl.startsWith("postgres") ? `PostgreSQL (${store.where})` : `PGlite (${storeUrl})`,
    close: async () => {
      if (storeUrl.startsWith("postgres")) await store.prisma.$executeRawUnsafe(`DROP SCHEMA IF EXISTS "bench_ingest_${run}" CASCADE`);
      await store.close();
    },
  };
}

function spawnGenerator(url: string, events: number): Promise<Rate> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--generate", url, String(events)], { stdio: ["ignore", "pipe", "inherit"] });
  return lastJsonLine<Rate>(child, "generator");
}

function lastJsonLine<T>(child: ChildProcess, what: string): Promise<T> {
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${what} exited with ${code} without a JSON result:\n${out}`));
      }
    });
  });
}

interface Peer {
  ready: Promise<void>;
  go(): void;
  result: Promise<Rate & { maxrss_mb: number; cpu_us_per_event: number }>;
}

function spawnPeer(url: string, events: number, mode: "live" | "prefill"): Peer {
  const script = fileURLToPath(new URL("python/ingest_peer.py", import.meta.url));
  const child = spawn(PYTHON, [script, url, String(events), "20", mode, EXCHANGE], { stdio: ["pipe", "pipe", "inherit"] });
  const ready = new Promise<void>((resolve) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line === "ready") resolve();
    });
  });
  return { ready, go: () => child.stdin!.write("go\n"), result: lastJsonLine(child, "Python peer") };
}

interface Ours extends Rate {
  maxRssMb: number;
  dropped: number;
  /** CPU time of this process (user + system) per event written: steadier than a rate on a shared machine. */
  cpuUsPerEvent: number;
}

// Polls the ingestor until every event is written (or dropped), from the first one received.
async function follow(ingestor: EventIngestor, events: number, since: number | null): Promise<Ours> {
  let first = since;
  let cpu = since === null ? null : process.cpuUsage();
  let maxRss = process.memoryUsage().rss;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const stats = ingestor.stats();
    maxRss = Math.max(maxRss, process.memoryUsage().rss);
    if (first === null && stats.received > 0) {
      first = performance.now();
      cpu = process.cpuUsage();
    }
    if (stats.written + stats.dropped >= events) {
      const seconds = (performance.now() - first!) / 1000;
      const used = process.cpuUsage(cpu!);
      return { events: stats.written, seconds, rate: stats.written / seconds, maxRssMb: maxRss / 2 ** 20, dropped: stats.dropped, cpuUsPerEvent: (used.user + used.system) / stats.written };
    }
    if (Date.now() > deadline) throw new Error(`ingestor stalled: ${JSON.stringify(stats)}`);
    await sleep(5);
  }
}

async function runOn(name: string, events: number, storeUrl: string | undefined): Promise<void> {
  const url = URLS[name]!;
  const run = `${process.pid}_${name}`;
  const target = await openTarget(storeUrl, run);
  const broker: Broker = createBroker(url);
  await broker.connect();
  const queueName = `celeriac.events.bench-${run}`;
  const errors: string[] = [];
  const make = () => new EventIngestor({ broker, writer: target.writer, queueName, exchange: EXCHANGE, onError: (error) => void errors.push(error.message) });
  const rssBefore = process.memoryUsage().rss / 2 ** 20;
  let ours: Ours;
  let generated: Rate;
  let peer: Peer;
  if (name === "redis") {
    // One after the other, each following its own run of the same generator: on two cores, a
    // second consumer running at the same time would take the CPU the first one is measured on.
    const ingestor = make();
    await ingestor.start();
    const generating = spawnGenerator(url, events);
    ours = await follow(ingestor, events, null);
    generated = await generating;
    await ingestor.stop();
    peer = spawnPeer(url, events, "live");
    await peer.ready;
    await sleep(1_000);
    await spawnGenerator(url, events);
  } else {
    // Declare our durable queue (start + stop acks nothing), let both queues fill, then drain both.
    const declare = make();
    await declare.start();
    await declare.stop();
    await broker.purge(queueName);
    peer = spawnPeer(url, events, "prefill");
    await peer.ready;
    generated = await spawnGenerator(url, events);
    const ingestor = make();
    peer.go();
    const start = performance.now();
    await ingestor.start();
    ours = await follow(ingestor, events, start);
    await ingestor.stop();
    await broker.deleteQueue(queueName);
  }
  const theirs = await peer.result;
  await broker.close();
  await target.close();
  console.log(`\n${name}: ${events} events (${EVENTS_PER_TASK} per task, task.multi ≤ 24), generator ${Math.round(generated.rate)} events/s`);
  console.log(`  celeriac EventIngestor → ${target.label}: ${Math.round(ours.rate)} events/s (${ours.seconds.toFixed(2)} s), ${ours.cpuUsPerEvent.toFixed(1)} CPU µs/event, dropped ${ours.dropped}, RSS ${rssBefore.toFixed(0)} → max ${ours.maxRssMb.toFixed(0)} MB`);
  console.log(`  Python Celery Receiver + State (Flower's core): ${Math.round(theirs.rate)} events/s (${theirs.events} events in ${theirs.seconds.toFixed(2)} s), ${theirs.cpu_us_per_event.toFixed(1)} CPU µs/event, max RSS ${theirs.maxrss_mb.toFixed(0)} MB`);
  console.log(`  ratio (ours / peer): ${(ours.rate / theirs.rate).toFixed(2)}× the rate; CPU per event ${ours.cpuUsPerEvent.toFixed(1)} vs ${theirs.cpu_us_per_event.toFixed(1)} µs (${(theirs.cpu_us_per_event / ours.cpuUsPerEvent).toFixed(2)}× as efficient)`);
  console.log(`  (the peer keeps State in memory only; ours includes the writer, so with --store it also pays for the database)`);
  if (errors.length > 0) console.log(`  ingestor reported ${errors.length} errors, first: ${errors[0]}`);
}

// The same four events per task as the generator, cut into batches as the ingestor's buffer does.
function prebuiltBatches(events: number, batchEvents: number): IngestBatch[] {
  const batches: IngestBatch[] = [];
  let buffer = new IngestBuffer();
  const start = Date.now() / 1000;
  let clock = 0;
  for (let task = 0; task < events / EVENTS_PER_TASK; task++) {
    const uuid = randomUUID();
    const received = { name: "seedflow.add", args: `(${task}, 1)`, kwargs: "{}", retries: 0, root_id: uuid, parent_id: null, eta: null, expires: null };
    const steps: [string, Record<string, unknown>][] = [
      ["task-sent", { ...received, queue: "celery", exchange: "", routing_key: "celery" }],
      ["task-received", received],
      ["task-started", {}],
      ["task-succeeded", { result: String(task + 1), runtime: 0.0004 }],
    ];
    for (const [type, fields] of steps) {
      clock += 1;
      buffer.add(eventObservations(parseEvent({ hostname: "bench-worker@localhost", clock, uuid, ...fields, timestamp: start + clock / 10_000, type })));
      if (buffer.events >= batchEvents) {
        batches.push(buffer.toBatch());
        buffer = new IngestBuffer();
      }
    }
  }
  if (!buffer.empty) batches.push(buffer.toBatch());
  return batches;
}

async function storeOnly(storeUrl: string, events: number): Promise<void> {
  for (const [batchEvents, writes] of [
    [2_000, 1],
    [2_000, 2],
    [8_000, 1],
    [8_000, 2],
  ] as const) {
    const target = await openTarget(storeUrl, `${process.pid}_only_${batchEvents}_${writes}`);
    const batches = prebuiltBatches(events, batchEvents);
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: writes }, async () => {
        while (next < batches.length) await target.writer.applyBatch(batches[next++]!);
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    console.log(`${target.label}: batches of ${batchEvents} events, ${writes} at a time: ${Math.round(events / seconds)} events/s (${seconds.toFixed(2)} s)`);
    await target.close();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--generate") return generate(args[1]!, Number(args[2]));
  const option = (flag: string) => {
    const at = args.indexOf(flag);
    return at === -1 ? undefined : args.splice(at, 2)[1];
  };
  const storeOnlyUrl = option("--store-only");
  const storeUrl = option("--store");
  const names = (option("--brokers") ?? "redis,rabbitmq").split(",");
  const events = Number(args[0] ?? 60_000);
  if (storeOnlyUrl) return storeOnly(storeOnlyUrl, events);
  for (const name of names) await runOn(name, events, storeUrl);
}

await main();
