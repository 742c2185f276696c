// The queue sampler against real Redis (kombu's priority lists filled by our producer and by Python
// kombu) and real RabbitMQ (passive declares with consumer counts), plus the periodic loop.

import amqplib from "amqplib";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import { AmqpBroker, Celery, RedisBroker, type Consumer } from "../../../src/celery/index";
import { AppError } from "../../../src/server/app-error";
import { sampleQueues, startQueueSampler } from "../../../src/server/ingest/queue-sampler";
import { runPython } from "../../support/python-celery";
import { AMQP_URL, describeWith, REDIS_URL, uniqueName } from "../../support/services";
import { ReconcileHistoryDouble } from "./reconcile-history-double";

const SEP = "\x06\x16";

await describeWith(["redis"], "queue sampler on Redis", () => {
  let redis: Redis;
  let broker: RedisBroker;
  let app: Celery;
  const used: string[] = [];
  const queue = (label: string) => {
    const name = uniqueName(`sampler-${label}`);
    used.push(name);
    return name;
  };

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    broker = new RedisBroker(REDIS_URL);
    app = new Celery({ broker });
    await app.connect();
  });
  afterAll(async () => {
    for (const name of used) await broker.purge(name);
    await app.close();
    redis.disconnect();
  });

  it("counts every priority list of a queue, as filled by priority publishes through the library", async () => {
    const q = queue("prio");
    for (const priority of [undefined, 0, 2, 3, 5, 6, 9, 9]) await app.sendTask("proj.add", [1, 1], {}, { queue: q, priority });
    // kombu's buckets [0, 3, 6, 9], rounded down: the lists themselves hold the messages.
    expect(await Promise.all([q, `${q}${SEP}3`, `${q}${SEP}6`, `${q}${SEP}9`].map((key) => redis.llen(key)))).toEqual([3, 2, 1, 2]);
    const [sample] = await sampleQueues({ broker, queues: [q], now: () => 1_700_000_000 });
    expect(sample).toEqual({ broker: "redis://127.0.0.1:6379/0", queue: q, at: 1_700_000_000, depth: 8 });
  });

  it("honours the transport's configured priority steps", async () => {
    const q = queue("steps");
    const stepped = new RedisBroker(REDIS_URL, { prioritySteps: [0, 5] });
    await stepped.connect();
    try {
      await redis.lpush(q, "a", "b");
      await redis.lpush(`${q}${SEP}5`, "c");
      await redis.lpush(`${q}${SEP}3`, "not a step of this transport");
      expect((await sampleQueues({ broker: stepped, queues: [q] }))[0]!.depth).toBe(3);
    } finally {
      await redis.del(`${q}${SEP}3`, `${q}${SEP}5`);
      await stepped.close();
    }
  });

  it("samples configured and discovered queues once each; a queue that does not exist reads 0 and is not created", async () => {
    const [a, missing] = [queue("a"), queue("missing")];
    await app.sendTask("proj.add", [], {}, { queue: a });
    const samples = await sampleQueues({ broker, queues: [a, missing], discoverQueues: async () => [missing, a] });
    expect(samples.map(({ queue: name, depth }) => [name, depth])).toEqual([
      [a, 1],
      [missing, 0],
    ]);
    expect(await redis.exists(missing, `${missing}${SEP}3`, `${missing}${SEP}6`, `${missing}${SEP}9`)).toBe(0);
  });

  it("writes samples every interval until stopped, reporting a failing discovery or store without stopping", async () => {
    const q = queue("loop");
    await app.sendTask("proj.add", [], {}, { queue: q });
    const history = new ReconcileHistoryDouble();
    const errors: AppError[] = [];
    let discoveries = 0;
    const sampler = startQueueSampler({
      broker,
      writer: history,
      queues: [q],
      intervalMs: 20,
      discoverQueues: () => {
        discoveries++;
        if (discoveries === 2) throw new Error("store unreachable");
        return [];
      },
      onError: (error) => errors.push(error),
    });
    await vi.waitFor(() => expect(discoveries).toBeGreaterThanOrEqual(3));
    history.down = new Error("database is down");
    await vi.waitFor(() => expect(errors.some((error) => error.message.includes("database is down"))).toBe(true));
    history.down = null;
    const before = history.samples.length;
    await vi.waitFor(() => expect(history.samples.length).toBeGreaterThan(before));
    await sampler.stop();
    const after = history.samples.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(history.samples.length).toBe(after);
    expect(history.samples.every((sample) => sample.queue === q && sample.depth === 1)).toBe(true);
    expect(errors[0]).toBeInstanceOf(AppError);
    expect(errors[0]!.message).toContain("store unreachable");
    expect(() => startQueueSampler({ broker, writer: history, intervalMs: 0 })).toThrow(/intervalMs/);
  });

  it("reports an unreachable broker as UNAVAILABLE, naming it", async () => {
    const down = new RedisBroker("redis://127.0.0.1:1/0", { connectTimeout: 200 });
    await expect(sampleQueues({ broker: down, queues: ["x"] })).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining("redis://127.0.0.1:1/0") });
    await down.close();
  });
});

await describeWith(["redis", "python-celery"], "queue sampler on Redis filled by Python kombu", () => {
  it("counts what Python kombu publishes with priorities the same way", async () => {
    const q = uniqueName("sampler-python");
    const redis = new Redis(REDIS_URL);
    const broker = new RedisBroker(REDIS_URL);
    try {
      await runPython({ brokerUrl: REDIS_URL, backendUrl: REDIS_URL, queue: q }, `for p in [0, 4, 7, 9, None]:\n    add.apply_async((1, 1), priority=p)\nprint(json.dumps(True))`);
      expect(await Promise.all([q, `${q}${SEP}3`, `${q}${SEP}6`, `${q}${SEP}9`].map((key) => redis.llen(key)))).toEqual([2, 1, 1, 1]);
      const [sample] = await sampleQueues({ broker, queues: [q] });
      expect(sample!.depth).toBe(5);
    } finally {
      await broker.purge(q);
      await broker.close();
      redis.disconnect();
    }
  });
});

await describeWith(["rabbitmq"], "queue sampler on RabbitMQ", () => {
  let broker: AmqpBroker;
  let consumer: Consumer | undefined;
  const queues: string[] = [];

  beforeAll(async () => {
    broker = new AmqpBroker(AMQP_URL);
    await broker.connect();
  });
  afterEach(async () => {
    await consumer?.cancel();
    consumer = undefined;
  });
  afterAll(async () => {
    for (const name of queues) await broker.deleteQueue(name);
    await broker.close();
  });

  it("reads ready messages and consumers from a passive declare; a missing queue reads 0 and stays missing", async () => {
    const q = uniqueName("sampler-amqp");
    const missing = uniqueName("sampler-amqp-missing");
    queues.push(q);
    const app = new Celery({ broker });
    for (let i = 0; i < 5; i++) await app.sendTask("proj.add", [i, i], {}, { queue: q });
    // One consumer holding one unacked delivery: RabbitMQ counts it apart from the ready ones.
    const held: unknown[] = [];
    consumer = await broker.consume([{ name: q }], (delivery) => held.push(delivery), { prefetch: 1 });
    await vi.waitFor(() => expect(held).toHaveLength(1));
    const samples = await sampleQueues({ broker, queues: [q, missing] });
    expect(samples.map(({ queue: name, depth, consumers }) => [name, depth, consumers])).toEqual([
      [q, 4, 1],
      [missing, 0, 0],
    ]);
    const connection = await amqplib.connect(AMQP_URL);
    const channel = await connection.createChannel();
    channel.on("error", () => undefined);
    await expect(channel.checkQueue(missing)).rejects.toThrow(/404/);
    await connection.close().catch(() => undefined);
  });
});
