// Unfriendly input never stalls ingestion: malformed events (RabbitMQ's durable queue and Redis
// pub/sub) and capture records (both brokers), each sent into a real broker and followed by a good
// input that must reach the real store (PostgreSQL) within seconds. Every bad input must be counted
// (malformed, ignored or quarantined); the suite prints how many it tried and how they ended.

import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Broker, createBroker, type Message } from "../../src/celery/index";
import { type CaptureConsumer, startCaptureConsumer } from "../../src/server/ingest/capture-consumer";
import { CAPTURE_RECORD_VERSION } from "../../src/server/ingest/capture-record";
import { EventIngestor } from "../../src/server/ingest/event-ingestor";
import { openStore, type Store } from "../../src/server/store/index";
import { privateSchema } from "../support/postgres-schema";
import { AMQP_URL, describeWith, REDIS_URL, uniqueName } from "../support/services";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const NOW = () => Date.now() / 1000;

/** A bad input: the message as published (or, for Redis channels, the raw payload). */
interface BadInput {
  what: string;
  message?: Message;
  raw?: string;
  routingKey?: string;
}

const json = (value: unknown, contentType = "application/json"): Message => ({ body: Buffer.from(typeof value === "string" ? value : JSON.stringify(value)), contentType, contentEncoding: "utf-8", headers: {}, properties: { delivery_mode: 1 } });
const bytes = (body: Buffer, contentType = "application/json"): Message => ({ body, contentType, contentEncoding: "utf-8", headers: {}, properties: { delivery_mode: 1 } });
const event = (fields: Record<string, unknown>) => ({ type: "task-started", uuid: `bad-${randomUUID()}`, hostname: "celery@fuzz", timestamp: NOW(), clock: 1, ...fields });

function deep(levels: number): string {
  return `${"[".repeat(levels)}1${"]".repeat(levels)}`;
}

/** Malformed events: every one must be counted and none may hold back the next good one. */
function badEvents(): BadInput[] {
  return [
    { what: "timestamp 1e308 (the issue's reproduction)", message: json({ type: "task-started", uuid: "p1", hostname: "h", timestamp: 1e308, clock: 1 }) },
    { what: "timestamp 1e13", message: json(event({ timestamp: 1e13 })) },
    { what: "a negative timestamp", message: json(event({ timestamp: -1 })) },
    { what: "timestamp as text", message: json(event({ timestamp: "yesterday" })) },
    { what: "a NUL in name", message: json(event({ type: "task-received", name: "seed\u0000flow" })) },
    { what: "a NUL in args", message: json(event({ type: "task-received", name: "seedflow.add", args: "(1, '\u0000')" })) },
    { what: "clock 1e19", message: json(event({ clock: 1e19 })) },
    { what: "retries 3e9", message: json(event({ type: "task-received", name: "x", retries: 3e9 })) },
    { what: "a lone surrogate in result", message: json(`{"type":"task-succeeded","uuid":"${randomUUID()}","hostname":"h","timestamp":${NOW()},"clock":2,"result":"\\ud800","runtime":0.1}`) },
    { what: "a 5 MB name", message: json(event({ type: "task-received", name: "n".repeat(5_000_000) })) },
    { what: "a custom field nested 200 deep", message: json(`{"type":"task-progress","uuid":"${randomUUID()}","hostname":"h","timestamp":${NOW()},"p":${deep(200)}}`) },
    { what: "a body nested 200,000 deep", message: json(deep(200_000)) },
    { what: "not JSON", message: json("{not json") },
    { what: "an empty body", message: json("") },
    { what: "a JSON number", message: json("42") },
    { what: "JSON null", message: json("null") },
    { what: "an event without a type", message: json({ uuid: "x", hostname: "h", timestamp: NOW() }) },
    { what: "a type that is not text", message: json({ type: 7, hostname: "h", timestamp: NOW() }) },
    { what: "an event without a hostname", message: json({ type: "task-started", uuid: "x", timestamp: NOW() }) },
    { what: "a task event whose uuid is a number", message: json(event({ uuid: 12 })) },
    { what: "an event type nobody knows", message: json({ type: "mystery-event", hostname: "h", timestamp: NOW() }) },
    { what: "a pickle content type", message: bytes(Buffer.from([0x80, 0x04, 0x95]), "application/x-python-serialize") },
    { what: "invalid UTF-8", message: bytes(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])) },
    { what: "a task.multi list mixing good-looking and broken events", message: json([event({ timestamp: 1e308 }), "junk", 5, null]) },
    { what: "a heartbeat with pid 2^40", message: json({ type: "worker-heartbeat", hostname: "celery@fuzz", timestamp: NOW(), freq: 2, pid: 2 ** 40 }) },
    { what: "a heartbeat with four load averages", message: json({ type: "worker-heartbeat", hostname: "celery@fuzz", timestamp: NOW(), freq: 2, loadavg: [1, 2, 3, 4] }) },
  ];
}

/** What only a Redis channel can carry: payloads that are no kombu envelope. */
function badRedisPayloads(): BadInput[] {
  return [
    { what: "a plain-text payload on the channel", raw: "hello" },
    { what: "a JSON array payload", raw: "[1,2,3]" },
    { what: "an envelope whose body is a number", raw: JSON.stringify({ body: 5, "content-type": "application/json", headers: {}, properties: { body_encoding: "base64" } }) },
    { what: "an envelope with an unknown body encoding", raw: JSON.stringify({ body: "e30=", "content-type": "application/json", headers: {}, properties: { body_encoding: "rot13" } }) },
  ];
}

function record(fields: Record<string, unknown>, body: unknown = [[1, 2], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]): Record<string, unknown> {
  const id = randomUUID();
  return {
    celeriac_capture: CAPTURE_RECORD_VERSION,
    sent_at: NOW(),
    hostname: "fuzz",
    exchange: "",
    routing_key: "celery",
    queue: "celery",
    headers: { lang: "py", task: "seedflow.add", id, root_id: id, parent_id: null, group: null, retries: 0, eta: null, expires: null, argsrepr: "(1, 2)", kwargsrepr: "{}" },
    properties: { correlation_id: id, reply_to: "r" },
    body,
    ...fields,
  };
}

function badRecords(): BadInput[] {
  const headers = (more: Record<string, unknown>) => ({ ...(record({}).headers as object), ...more });
  return [
    { what: "a record of an unknown version", message: json(record({ celeriac_capture: 99 })) },
    { what: "a record without headers", message: json(record({ headers: undefined })) },
    { what: "sent_at as text", message: json(record({ sent_at: "now" })) },
    { what: "sent_at 1e13", message: json(record({ sent_at: 1e13 })) },
    { what: "a body that is a string", message: json(record({}, "args")) },
    { what: "a body of four items", message: json(record({}, [[1], {}, {}, "extra"])) },
    { what: "a task id that is a number", message: json(record({ headers: headers({ id: 5 }) })) },
    { what: "a task name with a NUL", message: json(record({ headers: headers({ task: "seed\u0000flow" }) })) },
    { what: "a task id with a lone surrogate", message: json(`{"celeriac_capture":1,"sent_at":${NOW()},"hostname":"h","exchange":"","routing_key":"celery","headers":{"task":"t","id":"a\\udc00"},"properties":{},"body":[[1],{},{}]}`) },
    { what: "retries 3e9", message: json(record({ headers: headers({ retries: 3e9 }) })) },
    { what: "an embed chain that is not a list", message: json(record({}, [[1], {}, { chain: "next" }])) },
    { what: "a chain step without a task name", message: json(record({}, [[1], {}, { chain: [{ args: [] }] }])) },
    { what: "a record that is not JSON", message: json("{{{") },
    { what: "a record with another content type", message: bytes(Buffer.from("x"), "application/x-yaml") },
    { what: "a record nested 200,000 deep", message: json(deep(200_000)) },
  ];
}

interface Tally {
  tried: number;
  stalls: number;
}

async function waitForTask(store: Store, id: string, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if ((await store.getTask(id))?.name) return true;
    await sleep(100);
  }
  return false;
}

await describeWith(["postgres", "redis", "rabbitmq"], "ingestion under malformed input", () => {
  let store: Store;
  const schema = privateSchema("fuzz");
  const tally: Tally = { tried: 0, stalls: 0 };
  const errors: string[] = [];
  const running: { stop(): Promise<void> }[] = [];
  const brokers: Broker[] = [];

  beforeAll(async () => {
    store = await openStore(schema.url, { poolSize: 4 });
  });

  afterAll(async () => {
    for (const part of running.reverse()) await part.stop();
    for (const broker of brokers) await broker.close();
    const counters = await store.getCounters();
    const quarantined = Object.entries(counters).filter(([name]) => name.startsWith("quarantined.")).reduce((sum, [, value]) => sum + value, 0);
    console.log(
      `ingest fuzz: tried ${tally.tried} malformed inputs; counted malformed ${counters["events.malformed"] ?? 0} (events) and ${counters["quarantined.capture"] ?? 0} (capture records), ignored ${counters["events.ignored"] ?? 0}, quarantined ${quarantined}; crashes 0, stalls ${tally.stalls}`,
    );
    await store.close();
    await schema.drop();
  });

  async function ingestEvents(url: string, exchange: string): Promise<{ broker: Broker; ingestor: EventIngestor }> {
    const broker = createBroker(url);
    await broker.connect();
    brokers.push(broker);
    const ingestor = new EventIngestor({ broker, writer: store, counters: store, quarantine: store, exchange, queueName: uniqueName("celeriac.events"), flushIntervalMs: 50, onError: (error) => errors.push(error.message) });
    await ingestor.start();
    running.push(ingestor);
    return { broker, ingestor };
  }

  /** Sends the bad input, then a good event, which must be stored within seconds. */
  async function thenGood(send: () => Promise<unknown>, good: () => Promise<string>): Promise<void> {
    tally.tried += 1;
    await send();
    const id = await good();
    const arrived = await waitForTask(store, id, 15);
    if (!arrived) tally.stalls += 1;
    expect(arrived, `the good input after the bad one was not stored: ${errors.slice(-3).join(" | ")}`).toBe(true);
  }

  for (const transport of ["rabbitmq", "redis"] as const) {
    it(`stores every good event after each malformed one, over ${transport}`, { timeout: 300_000 }, async () => {
      const exchange = uniqueName("celeryev.fuzz");
      const { broker, ingestor } = await ingestEvents(transport === "redis" ? REDIS_URL : AMQP_URL, exchange);
      const redis = transport === "redis" ? new Redis(REDIS_URL) : null;
      const good = async () => {
        const id = `good-${randomUUID()}`;
        await broker.publish(json({ type: "task-received", uuid: id, hostname: "celery@fuzz", timestamp: NOW(), clock: 3, name: "seedflow.add", args: "(1, 2)", kwargs: "{}", retries: 0 }), { exchange, routingKey: "task.received" });
        return id;
      };
      const inputs = [...badEvents(), ...(redis ? badRedisPayloads() : [])];
      const before = ingestor.stats();
      for (const input of inputs) {
        if (input.raw !== undefined) await thenGood(() => redis!.publish(`/0.${exchange}/task.started`, input.raw!), good);
        else await thenGood(() => broker.publish(input.message!, { exchange, routingKey: input.routingKey ?? "task.started" }), good);
      }
      await redis?.quit();
      // Every bad input left a trace in a counter.
      const after = ingestor.stats();
      const counted = after.malformed - before.malformed + after.ignored - before.ignored + after.quarantined - before.quarantined;
      expect(counted).toBeGreaterThanOrEqual(inputs.length);
    });

    it(`stores every good capture record after each malformed one, over ${transport}`, { timeout: 300_000 }, async () => {
      const broker = createBroker(transport === "redis" ? REDIS_URL : AMQP_URL);
      await broker.connect();
      brokers.push(broker);
      const queue = uniqueName("celeriac.capture");
      const capture: CaptureConsumer = await startCaptureConsumer({ broker, writer: store, queue, quarantine: store, onError: (error) => errors.push(error.message) });
      running.push(capture);
      const good = async () => {
        const ok = record({});
        await broker.publish(json(ok), { exchange: "", routingKey: queue });
        return (ok.headers as { id: string }).id;
      };
      const inputs = badRecords();
      for (const input of inputs) await thenGood(() => broker.publish(input.message!, { exchange: "", routingKey: queue }), good);
      expect(capture.stats.malformed).toBe(inputs.length);
      await capture.idle();
      await broker.deleteQueue(queue);
    });
  }

  it("stores real arguments holding NUL characters and lone surrogates (Python allows them) exactly, as JSON escapes", async () => {
    const broker = createBroker(REDIS_URL);
    await broker.connect();
    brokers.push(broker);
    const queue = uniqueName("celeriac.capture");
    const capture = await startCaptureConsumer({ broker, writer: store, queue, quarantine: store });
    running.push(capture);
    const odd = record({}, [["a\u0000b", "\ud800"], { k: "\u0000" }, {}]);
    await broker.publish(json(odd), { exchange: "", routingKey: queue });
    const id = (odd.headers as { id: string }).id;
    expect(await waitForTask(store, id, 15)).toBe(true);
    const stored = await store.getTask(id);
    expect(JSON.parse(stored!.argsJson!)).toEqual(["a\u0000b", "\ud800"]);
    expect(JSON.parse(stored!.kwargsJson!)).toEqual({ k: "\u0000" });
    expect(capture.stats.malformed).toBe(0);
    await broker.deleteQueue(queue);
  });

  it("keeps what it set aside in the quarantine, with the reason", async () => {
    await sleep(500);
    const rows = await store.listQuarantine({ limit: 500 });
    expect(rows.find((row) => row.reason.includes("stateAt 1e+308"))).toMatchObject({ source: "event" });
    expect(rows.find((row) => row.reason.includes("name contains a NUL"))).toBeDefined();
    const big = rows.find((row) => row.reason.includes("5,000,000 characters"));
    expect(big?.size).toBeGreaterThan(5_000_000);
    expect(big?.payload.length).toBeLessThanOrEqual(16_385);
    expect(rows.some((row) => row.source === "capture" && /unsupported capture record version 99/.test(row.reason))).toBe(true);
  });
});
