// The event ingestor over the in-process memory broker (same ack, prefetch and requeue semantics as
// AMQP) into the in-memory HistoryWriter double: batching, merging, bounds, outages and stop.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EventDispatcher, MemoryBroker } from "../../../src/celery/index";
import { EventIngestor, type EventIngestorOptions } from "../../../src/server/ingest/event-ingestor";
import { uniqueName } from "../../support/services";
import { RecordingBroker } from "../../celery/events/recording-broker";
import { MemoryHistoryWriter } from "./memory-history-writer";
import { AppError } from "../../../src/server/app-error";
import type { QuarantineEntry } from "../../../src/server/ingest/quarantine-entry";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const running: EventIngestor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((ingestor) => ingestor.stop()));
});

function setup(options: Partial<EventIngestorOptions> = {}) {
  const world = `memory://${uniqueName("ingest")}`;
  const broker = new MemoryBroker(world);
  const writer = new MemoryHistoryWriter();
  const errors: Error[] = [];
  const lost: [string, string[]][] = [];
  const queueName = uniqueName("celeriac.events");
  const ingestor = new EventIngestor({
    broker,
    writer,
    queueName,
    onError: (error) => void errors.push(error),
    onPossiblyLost: (hostname, ids) => void lost.push([hostname, ids]),
    ...options,
  });
  running.push(ingestor);
  const worker = new EventDispatcher(new MemoryBroker(world), { hostname: "celery@w1" });
  const started = (uuid: string) => worker.publish("task-started", { uuid });
  return { world, broker, writer, errors, lost, ingestor, worker, started, queueName };
}

describe("EventIngestor", () => {
  it("writes a batch as soon as maxBatchEvents are buffered, without waiting for the interval", async () => {
    const { writer, ingestor, started } = setup({ flushIntervalMs: 60_000, maxBatchEvents: 10 });
    await ingestor.start();
    for (let i = 0; i < 25; i++) await started(`t${i}`);
    await waitFor("two full batches", () => writer.batches.length === 2);
    expect(writer.batches.map((batch) => batch.tasks.length)).toEqual([10, 10]);
    expect(ingestor.stats()).toMatchObject({ received: 25, written: 20, buffered: 5, storeDown: false });
  });

  it("writes a partial batch once flushIntervalMs has passed", async () => {
    const { writer, ingestor, started } = setup({ flushIntervalMs: 150, maxBatchEvents: 1000 });
    await ingestor.start();
    const sent = Date.now();
    for (let i = 0; i < 3; i++) await started(`t${i}`);
    await sleep(50);
    expect(writer.batches).toEqual([]);
    await waitFor("the timed batch", () => writer.batches.length === 1);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(140);
    expect(writer.batches[0]!.tasks.map((task) => task.id)).toEqual(["t0", "t1", "t2"]);
    expect(ingestor.stats().lastFlushMs).toEqual(expect.any(Number));
  });

  it("merges a task's events into one observation with the strongest state, every event kept for the timeline", async () => {
    const { world, writer, ingestor, worker } = setup({ flushIntervalMs: 100 });
    const client = new EventDispatcher(new MemoryBroker(world), { hostname: "gen1@host" });
    await ingestor.start();
    await worker.publish("task-received", { uuid: "t1", name: "seedflow.add", args: "(2, 3)", kwargs: "{}", retries: 0, root_id: "t1", parent_id: null, eta: null, expires: null });
    await worker.publish("task-started", { uuid: "t1" });
    await worker.publish("task-succeeded", { uuid: "t1", result: "5", runtime: 0.01 });
    // The client's task-sent arrives last, as it often does: it fills in fields, never the state.
    await client.publish("task-sent", { uuid: "t1", name: "seedflow.add", args: "(2, 3)", kwargs: "{}", retries: 0, root_id: "t1", parent_id: null, eta: null, expires: null, queue: "celery", exchange: "", routing_key: "celery" });
    await waitFor("the batch", () => writer.batches.length === 1);
    const [merged, ...timelineOnly] = writer.batches[0]!.tasks;
    expect(merged).toMatchObject({ id: "t1", state: "SUCCESS", name: "seedflow.add", result: "5", worker: "celery@w1", queue: "celery", argsRepr: "(2, 3)" });
    expect(merged).toHaveProperty("receivedAt");
    expect(merged).toHaveProperty("sentAt");
    expect(timelineOnly.map((observation) => Object.keys(observation).sort())).toEqual([
      ["event", "id", "source"],
      ["event", "id", "source"],
      ["event", "id", "source"],
    ]);
    expect(writer.tasks.get("t1")?.timeline.map((event) => event.type)).toEqual(["task-received", "task-started", "task-succeeded", "task-sent"]);
    expect(ingestor.stats()).toMatchObject({ received: 4, written: 4 });
  });

  it("durable: while the store is down nothing is acked, deliveries beyond prefetch wait in the queue, and all arrive after recovery", async () => {
    const { broker, writer, ingestor, started, queueName, errors } = setup({ flushIntervalMs: 20, prefetch: 10, maxBufferedEvents: 1000, retryInitialMs: 20, retryMaxMs: 50 });
    writer.down = new Error("connect ECONNREFUSED 127.0.0.1:5432");
    await ingestor.start();
    for (let i = 0; i < 100; i++) await started(`t${i}`);
    await waitFor("a failed write", () => ingestor.stats().storeDown);
    await sleep(100);
    // Prefetch 10: the rest stays in the (bounded, durable) queue.
    expect(await broker.queueSize(queueName)).toBe(90);
    expect(ingestor.stats()).toMatchObject({ received: 10, written: 0, buffered: 10, dropped: 0 });
    expect(errors[0]?.message).toMatch(/The store rejected a batch of \d+ events .*ECONNREFUSED.*retrying in \d+ ms; the deliveries stay unacked/);
    writer.down = null;
    await waitFor("catch-up", () => writer.tasks.size === 100, 10_000);
    await waitFor("every delivery acked", async () => (await broker.queueSize(queueName)) === 0 && ingestor.stats().buffered === 0);
    expect(ingestor.stats()).toMatchObject({ received: 100, written: 100, dropped: 0, storeDown: false });
  });

  it("durable: a full buffer stops the consumer until a write makes room, so memory stays within maxBufferedEvents", async () => {
    const { world, writer, ingestor, queueName, broker } = setup({ flushIntervalMs: 20, prefetch: 100, maxBufferedEvents: 50, retryInitialMs: 20, retryMaxMs: 20 });
    const multi = new EventDispatcher(new MemoryBroker(world), { hostname: "celery@w2", buffer: true, bufferLimit: 30 });
    writer.down = new Error("database is restarting");
    await ingestor.start();
    // 10 task.multi deliveries of 30 events each.
    await Promise.all(Array.from({ length: 300 }, (_, i) => multi.send("task-started", { uuid: `m${i}` })));
    let most = 0;
    for (let i = 0; i < 20; i++) {
      most = Math.max(most, ingestor.stats().buffered);
      await sleep(10);
    }
    expect(most).toBe(50);
    expect(await broker.queueSize(queueName)).toBe(0); // all 10 deliveries are within prefetch, unacked
    writer.down = null;
    await waitFor("catch-up", () => writer.tasks.size === 300, 10_000);
    expect(ingestor.stats()).toMatchObject({ received: 300, written: 300, dropped: 0 });
  });

  it("pub/sub mode: past maxBufferedEvents the oldest tasks are dropped and counted", async () => {
    const { writer, ingestor, started } = setup({ durable: false, flushIntervalMs: 20, maxBatchEvents: 10_000, maxBufferedEvents: 50, retryInitialMs: 20, retryMaxMs: 20 });
    writer.down = new Error("database is restarting");
    await ingestor.start();
    for (let i = 0; i < 200; i++) await started(`t${i}`);
    await waitFor("all received and a failed write", () => ingestor.stats().received === 200 && ingestor.stats().storeDown);
    expect(ingestor.stats()).toMatchObject({ received: 200, dropped: 150, buffered: 50, written: 0, storeDown: true });
    writer.down = null;
    await waitFor("the rest written", () => ingestor.stats().written === 50);
    // The newest survive.
    expect([...writer.tasks.keys()].sort()).toEqual(Array.from({ length: 50 }, (_, i) => `t${150 + i}`).sort());
  });

  it("pub/sub mode with a journal: past maxBufferedEvents events wait on disk, none is dropped, and all are written once the store is back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "celeriac-ingest-journal-"));
    try {
      const { writer, ingestor, started } = setup({ durable: false, flushIntervalMs: 20, maxBatchEvents: 10_000, maxBufferedEvents: 50, retryInitialMs: 20, retryMaxMs: 20, journalDir: dir });
      writer.down = new Error("database is restarting");
      await ingestor.start();
      for (let i = 0; i < 200; i++) await started(`t${i}`);
      await waitFor("all received", () => ingestor.stats().received === 200 && ingestor.stats().storeDown);
      expect(ingestor.stats()).toMatchObject({ received: 200, dropped: 0, buffered: 50, journaled: 150, journalBacklog: 150 });
      writer.down = null;
      await waitFor("everything written", () => ingestor.stats().written === 200);
      expect(writer.tasks.size).toBe(200);
      expect(ingestor.stats()).toMatchObject({ dropped: 0, journalBacklog: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("pub/sub mode: what a stopped ingestor left in its journal, the next one writes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "celeriac-ingest-journal-"));
    try {
      const first = setup({ durable: false, flushIntervalMs: 20, maxBufferedEvents: 10, stopTimeoutMs: 50, journalDir: dir });
      first.writer.down = new Error("database is down");
      await first.ingestor.start();
      for (let i = 0; i < 40; i++) await first.started(`t${i}`);
      await waitFor("all received", () => first.ingestor.stats().received === 40);
      await first.ingestor.stop();
      // The ten in memory could not be written before stop gave up; the thirty on disk are kept.
      expect(first.ingestor.stats()).toMatchObject({ dropped: 10, journaled: 30 });

      const second = setup({ durable: false, flushIntervalMs: 20, maxBufferedEvents: 10, journalDir: dir });
      await second.ingestor.start();
      await waitFor("the journal replayed", () => second.writer.tasks.size === 30);
      expect([...second.writer.tasks.keys()].sort()).toEqual(Array.from({ length: 30 }, (_, i) => `t${10 + i}`).sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("counts and reports malformed events with the reason, and goes on", async () => {
    const { broker, writer, ingestor, started, errors } = setup({ flushIntervalMs: 20 });
    await ingestor.start();
    const publish = (text: string, contentType = "application/json") =>
      broker.publish({ body: Buffer.from(text), contentType, contentEncoding: "utf-8", headers: {}, properties: { delivery_mode: 1 } }, { exchange: "celeryev", routingKey: "task.multi" });
    await publish(JSON.stringify([{ type: "task-started", hostname: "celery@w1", timestamp: 1 }, { type: "task-started", uuid: "ok", hostname: "celery@w1", timestamp: 1 }]));
    await publish("{not json");
    await publish("x", "application/x-python-serialize");
    await started("t1");
    await waitFor("the valid events", () => writer.tasks.has("ok") && writer.tasks.has("t1"));
    expect(ingestor.stats()).toMatchObject({ malformed: 3, received: 2 });
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining(`has no "uuid"`), expect.any(String), expect.stringContaining("content type")]);
  });

  it("stop() writes what it holds and acks it", async () => {
    const { writer, ingestor, started, broker, queueName } = setup({ flushIntervalMs: 60_000 });
    await ingestor.start();
    for (let i = 0; i < 5; i++) await started(`t${i}`);
    await waitFor("received", () => ingestor.stats().received === 5);
    expect(writer.batches).toEqual([]);
    await ingestor.stop();
    expect(writer.tasks.size).toBe(5);
    expect(ingestor.stats()).toMatchObject({ written: 5, buffered: 0 });
    expect(await broker.queueSize(queueName)).toBe(0);
  });

  it("stop() with the store down gives up after stopTimeoutMs: durable deliveries go back to the queue, pub/sub ones count as dropped", async () => {
    const durable = setup({ flushIntervalMs: 20, stopTimeoutMs: 200, retryInitialMs: 20, retryMaxMs: 20 });
    durable.writer.down = new Error("down");
    await durable.ingestor.start();
    for (let i = 0; i < 5; i++) await durable.started(`t${i}`);
    await waitFor("received", () => durable.ingestor.stats().received === 5);
    await durable.ingestor.stop();
    expect(await durable.broker.queueSize(durable.queueName)).toBe(5);
    expect(durable.ingestor.stats().dropped).toBe(0);

    const lossy = setup({ durable: false, flushIntervalMs: 20, stopTimeoutMs: 200, retryInitialMs: 20, retryMaxMs: 20 });
    lossy.writer.down = new Error("down");
    await lossy.ingestor.start();
    for (let i = 0; i < 5; i++) await lossy.started(`t${i}`);
    await waitFor("received", () => lossy.ingestor.stats().received === 5);
    await lossy.ingestor.stop();
    expect(lossy.ingestor.stats()).toMatchObject({ dropped: 5, written: 0 });

  });

  it("stop() while the consumer waits for room requeues that delivery too: every event is back in the queue", async () => {
    const { writer, ingestor, started, broker, queueName } = setup({ flushIntervalMs: 20, maxBufferedEvents: 2, stopTimeoutMs: 200, retryInitialMs: 20, retryMaxMs: 20 });
    writer.down = new Error("down");
    await ingestor.start();
    for (let i = 0; i < 5; i++) await started(`t${i}`);
    await waitFor("the buffer full", () => ingestor.stats().buffered === 2 && ingestor.stats().storeDown);
    await ingestor.stop();
    expect(await broker.queueSize(queueName)).toBe(5);
    expect(ingestor.stats()).toMatchObject({ received: 2, written: 0, dropped: 0 });
  });

  it("a write that fails after stop() gave up on it is not retried", async () => {
    const { writer, ingestor, started } = setup({ durable: false, flushIntervalMs: 10, stopTimeoutMs: 50, retryInitialMs: 10 });
    let calls = 0;
    writer.applyBatch = async () => {
      calls += 1;
      await sleep(200);
      throw new Error("statement timeout");
    };
    await ingestor.start();
    await started("t1");
    await waitFor("a write in flight", () => calls === 1);
    await ingestor.stop();
    await sleep(400);
    expect(calls).toBe(1);
  });

  it("marks a worker whose heartbeat expired offline and reports the tasks it had started as possibly lost", async () => {
    const { writer, ingestor, worker, lost } = setup({ flushIntervalMs: 20, livenessIntervalMs: 20 });
    await ingestor.start();
    await worker.publish("worker-heartbeat", { freq: 0.1, active: 1, processed: 0, loadavg: [0, 0, 0], sw_ident: "py-celery", sw_ver: "5.2.6", sw_sys: "Linux" });
    await worker.publish("task-started", { uuid: "running" });
    await worker.publish("task-started", { uuid: "done" });
    await worker.publish("task-succeeded", { uuid: "done", result: "None", runtime: 0 });
    await waitFor("offline", () => writer.workers.get("celery@w1")?.status === "offline");
    expect(lost).toEqual([["celery@w1", ["running"]]]);
    expect(writer.workers.get("celery@w1")).toMatchObject({ status: "offline", heartbeat: false, freq: 0.1, swVer: "5.2.6" });
    // Derived, not received: no event counter moves for it.
    expect(ingestor.stats().received).toBe(4);
  });

  it("reports STARTED tasks as possibly lost on worker-offline", async () => {
    const { writer, ingestor, worker, lost } = setup({ flushIntervalMs: 20 });
    await ingestor.start();
    await worker.publish("task-started", { uuid: "running" });
    await worker.publish("worker-offline", { freq: 2 });
    await waitFor("offline", () => writer.workers.get("celery@w1")?.status === "offline");
    expect(lost).toEqual([["celery@w1", ["running"]]]);
  });

  it("consumes a named durable queue bounded by x-max-length (drop-head) and x-message-ttl, with acks and prefetch; on Redis a pub/sub queue without acks", async () => {
    const amqp = new RecordingBroker("amqp");
    const durable = new EventIngestor({ broker: amqp, writer: new MemoryHistoryWriter(), queueMaxLength: 1000, queueMessageTtlMs: 60_000, prefetch: 64 });
    running.push(durable);
    await durable.start();
    expect(amqp.queues.at(-1)).toMatchObject({
      name: "celeriac.events",
      durable: true,
      autoDelete: false,
      routingKey: "#",
      arguments: { "x-max-length": 1000, "x-overflow": "drop-head", "x-message-ttl": 60_000 },
    });
    expect(amqp.consumeOptions).toEqual({ prefetch: 64, onError: expect.any(Function), onRecovered: expect.any(Function) });
    const redis = new RecordingBroker("redis");
    const lossy = new EventIngestor({ broker: redis, writer: new MemoryHistoryWriter() });
    running.push(lossy);
    await lossy.start();
    expect(lossy.durable).toBe(false);
    expect(redis.queues.at(-1)).toMatchObject({ name: expect.stringMatching(/^celeryev\./), durable: false, autoDelete: true });
    expect(redis.consumeOptions).toEqual({ noAck: true, onError: expect.any(Function), onRecovered: expect.any(Function) });
  });

  it("adds its counter increments to the counter sink after writes, keeping a failed push for the next one", async () => {
    const pushes: Record<string, number>[] = [];
    let failNext = true;
    const counters = {
      async incrementCounters(deltas: Readonly<Record<string, number>>) {
        if (failNext) {
          failNext = false;
          throw new Error("counter table locked");
        }
        pushes.push({ ...deltas });
      },
    };
    const { ingestor, started, broker, errors } = setup({ flushIntervalMs: 20, counters });
    await ingestor.start();
    await started("t1");
    await waitFor("the first write", () => ingestor.stats().written === 1);
    await broker.publish({ body: Buffer.from("[{}]"), contentType: "application/json", contentEncoding: "utf-8", headers: {}, properties: { delivery_mode: 1 } }, { exchange: "celeryev", routingKey: "task.multi" });
    await started("t2");
    await waitFor("the second write", () => ingestor.stats().written === 2);
    await ingestor.stop();
    const total: Record<string, number> = {};
    for (const push of pushes) for (const [name, delta] of Object.entries(push)) total[name] = (total[name] ?? 0) + delta;
    expect(total).toEqual({ "events.received": 2, "events.written": 2, "events.malformed": 1 });
    expect(errors.some((error) => /Could not persist the ingest counters \(counter table locked\)/.test(error.message))).toBe(true);
  });

  it("writes two batches at once; a delivery is acked only when its own batch is written, even if a later one was first", async () => {
    const broker = new RecordingBroker("amqp");
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const applied: string[][] = [];
    let calls = 0;
    const writer = {
      async applyBatch(batch: { tasks: { id: string }[] }) {
        calls += 1;
        if (calls === 1) {
          await gate;
          throw new Error("deadlock detected");
        }
        applied.push(batch.tasks.map((task) => task.id));
      },
      async recordQueueSamples() {},
    };
    const ingestor = new EventIngestor({ broker, writer, maxBatchEvents: 1, maxConcurrentWrites: 2, flushIntervalMs: 60_000, retryInitialMs: 10, onError: () => undefined });
    running.push(ingestor);
    await ingestor.start();
    const event = (uuid: string) => JSON.stringify({ type: "task-started", uuid, hostname: "celery@w1", timestamp: 1, clock: 1 });
    const first = broker.deliver(event("t1"));
    const second = broker.deliver(event("t2"));
    await waitFor("the second batch acked", () => broker.settlements.length === 1);
    expect(broker.settlements).toEqual([{ deliveryTag: second, outcome: "ack" }]);
    release();
    await waitFor("the first batch retried and acked", () => broker.settlements.length === 2);
    expect(broker.settlements[1]).toEqual({ deliveryTag: first, outcome: "ack" });
    expect(applied).toEqual([["t2"], ["t1"]]);
  });

  it("sets aside an event the store refuses (found by splitting its batch) and writes the rest; the events after it follow", async () => {
    const kept: QuarantineEntry[] = [];
    const { writer, ingestor, started, errors } = setup({ flushIntervalMs: 20, maxBatchEvents: 50, quarantine: { quarantine: async (entries) => void kept.push(...entries) } });
    const apply = writer.applyBatch.bind(writer);
    writer.applyBatch = async (batch) => {
      if (batch.tasks.some((task) => task.id === "poison")) throw new AppError("BAD_INPUT", "The store refused a value (SQLSTATE 22008: date/time field value out of range).");
      return apply(batch);
    };
    await ingestor.start();
    for (const id of ["a", "b", "poison", "c", "d"]) await started(id);
    await waitFor("the good events", () => ["a", "b", "c", "d"].every((id) => writer.tasks.has(id)));
    await started("after");
    await waitFor("the event after", () => writer.tasks.has("after"));
    expect(writer.tasks.has("poison")).toBe(false);
    expect(ingestor.stats()).toMatchObject({ quarantined: 1, storeDown: false });
    await waitFor("the quarantine entry", () => kept.length === 1);
    expect(kept[0]).toMatchObject({ source: "event", reason: expect.stringMatching(/the store refused what an event said of poison: .*SQLSTATE 22008/) });
    expect(errors.some((error) => /Set aside the store refused what an event said of poison/.test(error.message))).toBe(true);
  });

  it("sets aside on arrival an event the store could not hold, counts and says why once, and ignores (counted) events of no state", async () => {
    const kept: QuarantineEntry[] = [];
    const { writer, ingestor, worker, started, errors } = setup({ flushIntervalMs: 20, quarantine: { quarantine: async (entries) => void kept.push(...entries) } });
    await ingestor.start();
    await worker.publish("task-started", { uuid: "future", timestamp: 1e13 });
    await worker.publish("worker-elect", { id: "x" });
    await worker.publish("worker-elect", { id: "y" });
    await started("next");
    await waitFor("the next event", () => writer.tasks.has("next"));
    expect(writer.tasks.has("future")).toBe(false);
    expect(ingestor.stats()).toMatchObject({ received: 4, quarantined: 1, ignored: 2 });
    await waitFor("the quarantine entry", () => kept.length === 1);
    expect(kept[0]!.reason).toMatch(/a task-started event from celery@w1 cannot be stored: stateAt 10000000000000 is not a time/);
    expect(errors.filter((error) => /Ignoring events of type "worker-elect"/.test(error.message))).toHaveLength(1);
  });

  it("refuses invalid options with every problem named", () => {
    expect(() => new EventIngestor({ broker: new MemoryBroker(), writer: new MemoryHistoryWriter(), maxBatchEvents: 0, flushIntervalMs: -1 })).toThrow(
      /EventIngestor options are invalid: flushIntervalMs: .*; maxBatchEvents: /,
    );
  });
});
