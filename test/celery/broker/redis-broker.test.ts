import { readdirSync } from "node:fs";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisBroker, createBroker, decodeRedisEnvelope, displayUrl, encodeRedisEnvelope, kombuTopicPattern, type Message } from "../../../src/celery/index";
import { deliveryInbox } from "../../support/delivery-inbox";
import { REDIS_URL, describeWith, uniqueName } from "../../support/services";
import { VECTORS_DIR, loadVector } from "../../support/vectors";
import { brokerConformance } from "./broker-conformance";

interface RawRecord {
  command: string[];
  raw: string;
  sanitized?: boolean;
}

/** Every envelope Celery 5.2.6 LPUSHed or PUBLISHed in the captured scenarios, byte-exact ones only. */
function capturedEnvelopes(): { file: string; record: RawRecord }[] {
  return readdirSync(VECTORS_DIR)
    .filter((file) => file.endsWith(".redis.json"))
    .flatMap((file) => {
      const vector = loadVector<Record<string, RawRecord[]>>(file);
      return ["task_messages", "events", "control"].flatMap((section) =>
        (vector[section] ?? []).filter((record) => record.raw && ["LPUSH", "PUBLISH"].includes(record.command[0]!) && !record.sanitized).map((record) => ({ file, record })),
      );
    });
}

function taskMessage(body: string, priority?: number): Message {
  return {
    body: Buffer.from(body),
    contentType: "application/json",
    contentEncoding: "utf-8",
    headers: { lang: "py", task: "t" },
    properties: { correlation_id: "c1", reply_to: "r1", delivery_mode: 2, ...(priority === undefined ? {} : { priority }) },
  };
}

describe("Redis envelope codec", () => {
  const envelopes = capturedEnvelopes();

  it("has captured envelopes to compare against", () => {
    expect(envelopes.length).toBeGreaterThan(100);
  });

  it("re-encodes every captured Celery 5.2.6 envelope to the identical string", () => {
    for (const { file, record } of envelopes) {
      const decoded = decodeRedisEnvelope(record.raw, file);
      const again = encodeRedisEnvelope(decoded.message, { exchange: decoded.exchange, routingKey: decoded.routingKey }, decoded.deliveryTag);
      expect(again, `${file} ${record.command.slice(0, 2).join(" ")}`).toBe(record.raw);
    }
  });

  it("writes add.delay(2, 3) exactly as Celery did", () => {
    const vector = loadVector<{ task_messages: (RawRecord & { envelope: { headers: Record<string, unknown>; properties: Record<string, string> } })[] }>("01_single_task.redis");
    const captured = vector.task_messages[0]!;
    const message: Message = {
      body: Buffer.from('[[2, 3], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]'),
      contentType: "application/json",
      contentEncoding: "utf-8",
      headers: captured.envelope.headers,
      properties: { correlation_id: captured.envelope.properties.correlation_id, reply_to: captured.envelope.properties.reply_to, delivery_mode: 2 },
    };
    expect(encodeRedisEnvelope(message, { exchange: "", routingKey: "celery" }, captured.envelope.properties.delivery_tag!)).toBe(captured.raw);
  });

  it("reads bodies without body_encoding as text and tolerates unknown keys", () => {
    const decoded = decodeRedisEnvelope('{"body": "h\\u00e9", "content-type": "text/plain", "content-encoding": "utf-8", "headers": {}, "properties": {"x-extra": 1, "delivery_info": {"exchange": "e", "routing_key": "k"}, "delivery_tag": "t"}, "future": true}', "test");
    expect(decoded.message.body.toString("utf8")).toBe("hé");
    expect(decoded.message.properties).toEqual({ "x-extra": 1 });
    expect(decoded).toMatchObject({ exchange: "e", routingKey: "k", deliveryTag: "t", redelivered: false });
  });

  it("rejects what is not an envelope with a MalformedMessage naming the source", () => {
    expect(() => decodeRedisEnvelope("[1, 2]", 'queue "q"')).toThrow(/queue "q".*not a JSON object/);
    expect(() => decodeRedisEnvelope('{"body": "x", "properties": {"body_encoding": "rot13"}}', "q")).toThrow(/body_encoding "rot13"/);
  });

  it("builds kombu's topic regexes", () => {
    expect(kombuTopicPattern("stock.*.nyse")).toBe("^stock\\..*?[^\\.]\\.nyse$");
    expect(kombuTopicPattern("worker.#")).toBe("^worker\\..*?$");
    expect(kombuTopicPattern("a-b_c.d")).toBe("^a\\-b\\_c\\.d$");
  });
});

describe("createBroker and displayUrl", () => {
  it("masks passwords", () => {
    expect(displayUrl("redis://:s3cret@host:6379/0")).toBe("redis://:**@host:6379/0");
    expect(displayUrl("amqp://guest:guest@host//")).toBe("amqp://guest:**@host//");
    expect(displayUrl("redis://host:6379/0")).toBe("redis://host:6379/0");
  });

  it("picks the transport from the scheme", () => {
    expect(createBroker("redis://127.0.0.1:6379/3").driverType).toBe("redis");
    expect(createBroker("rediss://127.0.0.1:6380/0").driverType).toBe("redis");
    expect(createBroker("redis+socket:///tmp/redis.sock?virtual_host=2").driverType).toBe("redis");
    expect(createBroker("memory://").driverType).toBe("memory");
    expect(createBroker("amqp://guest:guest@127.0.0.1:5672//").driverType).toBe("amqp");
    expect(createBroker("pyamqp://guest:guest@127.0.0.1:5672//").driverType).toBe("amqp");
  });

  it("refuses an unknown scheme, naming it and the supported ones", () => {
    expect(() => createBroker("sqs://key:secret@")).toThrow(/"sqs:\/\/".*redis:\/\/.*amqp:\/\/.*memory:\/\//);
    expect(() => createBroker("sqs://key:secret@")).toThrow(expect.objectContaining({ code: "IMPROPERLY_CONFIGURED" }));
  });

  it("derives the fanout channel prefix from the database number", () => {
    expect(new RedisBroker("redis://127.0.0.1:6379/3").layout.fanoutChannel("celery.pidbox", "")).toBe("/3.celery.pidbox");
    expect(new RedisBroker("redis://127.0.0.1:6379/0", { globalKeyprefix: "x_" }).layout.fanoutChannel("celeryev", "task.multi")).toBe("x_/0.celeryev/task.multi");
    expect(new RedisBroker("redis://127.0.0.1:6379", { fanoutPrefix: false }).layout.fanoutChannel("celeryev", "worker.heartbeat")).toBe("celeryev/worker.heartbeat");
  });

  it("fails fast with a BrokerConnectionError that masks the password when Redis is unreachable", async () => {
    const broker = new RedisBroker("redis://:hunter2@127.0.0.1:1/0", { connectTimeout: 2000 });
    const failure = broker.publish(taskMessage("1"), { exchange: "", routingKey: "nowhere" });
    await expect(failure).rejects.toMatchObject({ code: "BROKER_CONNECTION" });
    await expect(failure).rejects.toThrow(/redis:\/\/:\*\*@127\.0\.0\.1:1\/0/);
    await expect(failure).rejects.not.toThrow(/hunter2/);
    await broker.close();
  });
});

await describeWith(["redis"], "RedisBroker", () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await redis.quit();
  });

  brokerConformance("redis", () => Promise.resolve(new RedisBroker(REDIS_URL)), {
    injectMalformed: async (queue) => {
      await redis.lpush(queue, "this is not an envelope");
    },
  });

  describe("on the wire", () => {
    // A private key prefix keeps the shared `unacked*` keys of other tests out of reach.
    let prefix: string;
    let broker: RedisBroker;
    beforeAll(async () => {
      prefix = `${uniqueName("wire")}:`;
      broker = new RedisBroker(REDIS_URL, { globalKeyprefix: prefix, visibilityTimeout: 0 });
      await broker.connect();
    });
    afterAll(async () => {
      await broker.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    });

    it("puts priority 5 into the `<queue>\\x06\\x163` list and binds as kombu does", async () => {
      const queue = uniqueName("prio");
      await broker.declareQueue({ name: queue });
      await broker.publish(taskMessage("5", 5), { exchange: queue, routingKey: queue });
      expect(await redis.llen(`${prefix}${queue}\x06\x163`)).toBe(1);
      expect(await redis.llen(`${prefix}${queue}`)).toBe(0);
      expect(await redis.smembers(`${prefix}_kombu.binding.${queue}`)).toEqual([`${queue}\x06\x16\x06\x16${queue}`]);
      const raw = (await redis.lrange(`${prefix}${queue}\x06\x163`, 0, -1))[0]!;
      expect(JSON.parse(raw)).toMatchObject({ properties: { priority: 5, delivery_info: { exchange: queue, routing_key: queue }, body_encoding: "base64" } });
    });

    it("keeps a queue declared with x-max-length to its newest messages, as RabbitMQ's drop-head does, also when a topic exchange routes to it", async () => {
      const queue = uniqueName("bounded");
      const exchange = uniqueName("bx");
      await broker.declareQueue({ name: queue, arguments: { "x-max-length": 3 } });
      await broker.declareQueue({ name: queue, exchange: { name: exchange, type: "topic" }, routingKey: "#", arguments: { "x-max-length": 3 } });
      for (const n of ["1", "2", "3", "4"]) await broker.publish(taskMessage(n), { exchange: queue, routingKey: queue });
      await broker.publish(taskMessage("5"), { exchange, routingKey: "any" });
      const kept = await redis.lrange(`${prefix}${queue}`, 0, -1);
      // Newest at the head; consumers pop the tail, so "3" is delivered next.
      expect(kept.map((raw) => Buffer.from(JSON.parse(raw).body, "base64").toString())).toEqual(["5", "4", "3"]);
      const unbounded = uniqueName("unbounded");
      await broker.declareQueue({ name: unbounded });
      for (const n of ["1", "2", "3", "4"]) await broker.publish(taskMessage(n), { exchange: unbounded, routingKey: unbounded });
      expect(await redis.llen(`${prefix}${unbounded}`)).toBe(4);
    });

    it("stores topic bindings with kombu's regex in the member", async () => {
      const exchange = uniqueName("topic");
      const queue = uniqueName("tq");
      await broker.declareQueue({ name: queue, exchange: { name: exchange, type: "topic" }, routingKey: "stock.#" });
      expect(await redis.smembers(`${prefix}_kombu.binding.${exchange}`)).toEqual([`stock.#\x06\x16^stock\\..*?$\x06\x16${queue}`]);
      await broker.deleteQueue(queue);
      expect(await redis.smembers(`${prefix}_kombu.binding.${exchange}`)).toEqual([]);
    });

    it("records a delivery in `unacked` and `unacked_index` until it is acked", async () => {
      const queue = uniqueName("ack");
      await broker.publish(taskMessage('"x"'), { exchange: "", routingKey: queue });
      const raw = (await redis.lrange(`${prefix}${queue}`, 0, -1))[0]!;
      const inbox = deliveryInbox();
      const consumer = await broker.consume([{ name: queue }], inbox.push);
      const delivery = await inbox.next();
      expect(delivery.deliveryTag).toBe((JSON.parse(raw) as { properties: { delivery_tag: string } }).properties.delivery_tag);
      expect(await redis.hget(`${prefix}unacked`, delivery.deliveryTag)).toBe(`[${raw}, "", ${JSON.stringify(queue)}]`);
      expect(Number(await redis.zscore(`${prefix}unacked_index`, delivery.deliveryTag))).toBeGreaterThan(1e9);
      await delivery.ack();
      expect(await redis.hget(`${prefix}unacked`, delivery.deliveryTag)).toBeNull();
      expect(await redis.zscore(`${prefix}unacked_index`, delivery.deliveryTag)).toBeNull();
      await consumer.cancel();
      await broker.deleteQueue(queue);
    });

    it("restores deliveries older than the visibility timeout to the head of their queue, flagged redelivered", async () => {
      const queue = uniqueName("vis");
      await broker.publish(taskMessage('"first"'), { exchange: "", routingKey: queue });
      const inbox = deliveryInbox();
      const consumer = await broker.consume([{ name: queue }], inbox.push, { prefetch: 1 });
      const held = await inbox.next();
      await broker.publish(taskMessage('"second"'), { exchange: "", routingKey: queue });
      expect(await broker.restoreVisible()).toBe(1);
      expect(await redis.exists(`${prefix}unacked_mutex`)).toBe(0);
      expect(await redis.hlen(`${prefix}unacked`)).toBe(0);
      // RPUSH: the restored message is at the consuming end, before "second".
      const items = (await redis.lrange(`${prefix}${queue}`, 0, -1)).map((item) => JSON.parse(item) as { body: string; headers: Record<string, unknown>; properties: { delivery_info: Record<string, unknown> } });
      expect(items.map((item) => Buffer.from(item.body, "base64").toString())).toEqual(['"second"', '"first"']);
      expect(items[1]!.headers.redelivered).toBe(true);
      expect(items[1]!.properties.delivery_info.redelivered).toBe(true);
      // Settling the stale delivery must not duplicate it; the consumer then gets the restored copy.
      await held.reject(true);
      const again = await inbox.next();
      expect(again.message.body.toString()).toBe('"first"');
      expect(again.redelivered).toBe(true);
      await consumer.cancel();
      expect(await broker.queueSize(queue)).toBe(2);
      await broker.deleteQueue(queue);
    });

    it("leaves the sweep to whoever holds `unacked_mutex`", async () => {
      await redis.set(`${prefix}unacked_mutex`, "someone else", "PX", 10_000);
      expect(await broker.restoreVisible()).toBe(0);
      expect(await redis.get(`${prefix}unacked_mutex`)).toBe("someone else");
      await redis.del(`${prefix}unacked_mutex`);
    });

    it("publishes to a fanout exchange on `/<db>.<exchange>` and subscribes with `#` as `*`", async () => {
      const exchange = uniqueName("fan");
      const queue = uniqueName("fq");
      const inbox = deliveryInbox();
      const consumer = await broker.consume([{ name: queue, exchange: { name: exchange, type: "fanout" }, routingKey: "task.#" }], inbox.push, { noAck: true });
      const subscriber = new Redis(REDIS_URL);
      const seen = new Promise<string>((resolve) => subscriber.on("pmessage", (_pattern: string, channel: string) => resolve(channel)));
      await subscriber.psubscribe(`${prefix}/0.${exchange}*`);
      await broker.publish(taskMessage('"event"'), { exchange, routingKey: "task.succeeded" });
      expect(await seen).toBe(`${prefix}/0.${exchange}/task.succeeded`);
      const delivery = await inbox.next();
      expect(delivery).toMatchObject({ queue, exchange, routingKey: "task.succeeded" });
      await subscriber.quit();
      await consumer.cancel();
      await broker.deleteQueue(queue);
    });
  });
});
