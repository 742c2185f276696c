// Our own producer's capture path on Redis and RabbitMQ: capture-publisher → capture queue →
// capture-consumer → store; malformed records are counted, reported and acked; a store outage
// leaves records in the queue; and the in-process recordPublished path without a broker.

import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Broker, Celery, chain, createBroker, group, MemoryBackend, MemoryBroker, type Message, Signature } from "../../../src/celery/index";
import { type CaptureConsumer, startCaptureConsumer } from "../../../src/server/ingest/capture-consumer";
import { type CapturePublisher, installCapturePublisher } from "../../../src/server/ingest/capture-publisher";
import { captureRecordMessage, type CaptureRecord } from "../../../src/server/ingest/capture-record";
import { recordPublished } from "../../../src/server/ingest/record-published";
import { AMQP_URL, describeWith, REDIS_URL, uniqueName } from "../../support/services";
import { HistoryModel } from "./history-model";

const LOGIN_SHAPE = [
  "chain seedflow.check_device → group{seedflow.notify_user,seedflow.save_event}",
  "chain seedflow.post_to_api → seedflow.post_process",
  "chord group{seedflow.notify_user,seedflow.save_event} → seedflow.post_to_api",
];

function loginWorkflow(app: Celery) {
  const s = (name: string, ...args: unknown[]) => new Signature({ task: `seedflow.${name}`, args }, app);
  return chain(s("check_device", "u1", "pixel-9"), group(s("notify_user"), s("save_event")), s("post_to_api"), s("post_process"));
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const jsonMessage = (text: string, contentType = "application/json"): Message => ({ body: Buffer.from(text), contentType, contentEncoding: "utf-8", headers: {}, properties: { delivery_mode: 2 } });

const validRecord = (id: string): CaptureRecord => ({
  celeriac_capture: 1,
  sent_at: 1_750_000_000,
  hostname: "test",
  exchange: "",
  routing_key: "celery",
  queue: "celery",
  headers: { lang: "py", task: "seedflow.add", id, root_id: id, parent_id: null, group: null, retries: 0 },
  properties: { correlation_id: id, reply_to: "" },
  body: [[1, 2], {}, { callbacks: null, errbacks: null, chain: null, chord: null }],
});

for (const [name, url, service] of [["Redis", REDIS_URL, "redis"], ["RabbitMQ", AMQP_URL, "rabbitmq"]] as const) {
  await describeWith([service], `capture round trip on ${name}`, () => {
    let broker: Broker;
    let app: Celery;
    let queue: string;
    let history: HistoryModel;
    let consumer: CaptureConsumer | undefined;
    let publisher: CapturePublisher | undefined;
    const errors: string[] = [];
    const consume = async (writer = history) => {
      consumer = await startCaptureConsumer({ broker, writer, queue, prefetch: 8, onError: (error, kind) => errors.push(`${kind}: ${error.message}`) });
      return consumer;
    };

    beforeEach(async () => {
      broker = createBroker(url);
      await broker.connect();
      queue = `${uniqueName("capture-ts")}.capture`;
      app = new Celery({ broker, backend: new MemoryBackend(), defaultQueue: uniqueName("capture-tasks") });
      history = new HistoryModel();
      errors.length = 0;
    });

    afterEach(async () => {
      publisher?.stop();
      publisher = undefined;
      await consumer?.stop();
      consumer = undefined;
      for (const name of [queue, app.defaultQueue]) await broker.deleteQueue(name).catch(() => undefined);
      await broker.close();
    });

    it("carries our producer's login workflow to the store through the capture queue", async () => {
      publisher = installCapturePublisher(app, { queue, onError: (error) => errors.push(`publish: ${error.message}`) });
      await consume();
      const final = await loginWorkflow(app).applyAsync();
      await publisher.idle();
      expect(publisher.stats).toEqual({ published: 1, failed: 0 });
      await until("the record applied", () => consumer!.stats.applied === 1);
      const rootId = history.batches[0]!.tasks[0]!.id;
      expect(history.shape(rootId)).toEqual(LOGIN_SHAPE);
      expect(history.tasks.get(final.id)).toMatchObject({ name: "seedflow.post_process", state: "PLANNED" });
      expect(history.tasks.get(rootId)).toMatchObject({ state: "PENDING", argsJson: '["u1", "pixel-9"]', queue: app.defaultQueue });
      await consumer!.idle();
      expect(await broker.queueSize(queue)).toBe(0);
      expect(errors).toEqual([]);
    });

    it("counts, reports and acks malformed records and keeps consuming", async () => {
      const target = { exchange: "", routingKey: queue };
      await consume();
      await broker.publish(jsonMessage("not json at all"), target);
      await broker.publish(jsonMessage("{}", "application/x-python-serialize"), target);
      await broker.publish(jsonMessage("[1, 2]"), target);
      await broker.publish(captureRecordMessage({ ...validRecord("v2"), celeriac_capture: 2 as 1 }), target);
      await broker.publish(captureRecordMessage({ ...validRecord("no-id"), headers: { task: "seedflow.add" } }), target);
      await broker.publish(captureRecordMessage({ ...validRecord("bad-embed"), body: [[], {}, { chain: "nope" }] }), target);
      await broker.publish(captureRecordMessage(validRecord("good-1")), target);
      await until("all seven records handled", () => consumer!.stats.received === 7);
      await consumer!.idle();
      expect(consumer!.stats).toMatchObject({ received: 7, malformed: 6, applied: 1 });
      expect(history.tasks.get("good-1")).toMatchObject({ state: "PENDING", argsJson: "[1, 2]" });
      expect(errors).toHaveLength(6);
      expect(errors.every((e) => e.startsWith("malformed: Malformed capture record: "))).toBe(true);
      expect(errors[0]).toContain("not valid JSON");
      expect(errors[1]).toContain("application/x-python-serialize");
      expect(errors[2]).toContain("record");
      expect(errors[3]).toContain("unsupported capture record version 2");
      expect(errors[4]).toContain('"id" is missing');
      expect(errors[5]).toContain("embed.chain");
      // Acked: nothing comes back when the consumer restarts.
      await consumer!.stop();
      consumer = undefined;
      expect(await broker.queueSize(queue)).toBe(0);
    });

    it("keeps a record unacked through a store outage and applies it once the store is back", async () => {
      history.failNext = 3;
      await consume();
      await broker.publish(captureRecordMessage(validRecord("outage-1")), { exchange: "", routingKey: queue });
      await until("the store recovered", () => consumer!.stats.applied === 1);
      expect(consumer!.stats.storeErrors).toBe(3);
      expect(errors).toEqual(["store: store unavailable (test outage)", "store: store unavailable (test outage)", "store: store unavailable (test outage)"]);
      expect(history.tasks.get("outage-1")?.state).toBe("PENDING");
    });

    it("leaves records in the queue when it stops while the store is down", async () => {
      history.failNext = Number.POSITIVE_INFINITY;
      await consume();
      await broker.publish(captureRecordMessage(validRecord("down-1")), { exchange: "", routingKey: queue });
      await broker.publish(captureRecordMessage(validRecord("down-2")), { exchange: "", routingKey: queue });
      await until("a failed store attempt", () => consumer!.stats.storeErrors > 0);
      await consumer!.stop();
      consumer = undefined;
      await until("both records back in the queue", async () => (await broker.queueSize(queue)) === 2);
      const healthy = new HistoryModel();
      await consume(healthy);
      await until("both applied by the next consumer", () => consumer!.stats.applied === 2);
      // Redis restores unacked deliveries in its own order; the store's merge does not depend on it.
      expect([...healthy.tasks.keys()].sort()).toEqual(["down-1", "down-2"]);
    });

    if (service === "redis") {
      it("counts a list item that is no kombu envelope and goes on", async () => {
        await consume();
        const redis = new Redis(url);
        try {
          await redis.lpush(queue, "garbage that kombu never wrote");
        } finally {
          redis.disconnect();
        }
        await broker.publish(captureRecordMessage(validRecord("after-garbage")), { exchange: "", routingKey: queue });
        await until("the good record applied", () => consumer!.stats.applied === 1);
        expect(consumer!.stats.malformed).toBe(1);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(/^malformed: Malformed capture record: not a broker message/);
      });
    }
  });
}

describe("recordPublished (producer and store in one process)", () => {
  it("records each published message in publish order, through the same record → batch path", async () => {
    const app = new Celery({ broker: new MemoryBroker(), backend: new MemoryBackend() });
    const history = new HistoryModel();
    history.failNext = 1;
    const storeErrors: string[] = [];
    const recorder = recordPublished(app, history, { onError: (error) => storeErrors.push(error.message) });
    await loginWorkflow(app).applyAsync();
    await new Signature({ task: "seedflow.add", args: [1, 2] }, app).applyAsync();
    await recorder.idle();
    expect(recorder.pending).toBe(0);
    expect(storeErrors).toEqual(["store unavailable (test outage)"]);
    expect(history.batches.map((b) => b.tasks[0]!.name)).toEqual(["seedflow.check_device", "seedflow.add"]);
    expect(history.shape(history.batches[0]!.tasks[0]!.id)).toEqual(LOGIN_SHAPE);
    recorder.stop();
    await new Signature({ task: "seedflow.add", args: [3, 4] }, app).applyAsync();
    await recorder.idle();
    expect(history.batches).toHaveLength(2);
  });
});
