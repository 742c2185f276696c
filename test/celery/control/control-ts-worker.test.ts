// app.control and inspect against our own TypeScript worker, in process, over the memory broker,
// Redis and RabbitMQ: every command the worker answers, addressing, and a call nobody answers.

import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AmqpBroker,
  type Broker,
  Celery,
  MemoryBackend,
  MemoryBroker,
  type QueueSpec,
  RedisBroker,
  type Worker,
} from "../../../src/celery/index";
import { AMQP_URL, REDIS_URL, describeWith, uniqueName } from "../../support/services";
import { abortableSleep } from "../../support/abortable-sleep";

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

// Calls addressed to one worker return as soon as it replied: a window well past Celery's 1 s
// default costs nothing when all is well, and keeps a stall of a loaded machine from failing them.
const REPLY_MS = 5000;

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Records the reply queues the control client consumes, so a test can check they are gone afterwards. */
function watchReplyQueues(broker: Broker): QueueSpec[] {
  const seen: QueueSpec[] = [];
  const consume = broker.consume.bind(broker);
  broker.consume = (queues, onDelivery, options) => {
    seen.push(...queues.filter((queue) => queue.name.endsWith(".reply.celery.pidbox")));
    return consume(queues, onDelivery, options);
  };
  return seen;
}

function controlSuite(label: string, makeBroker: () => Broker, replyQueueGone: (queue: QueueSpec) => Promise<boolean>): void {
  const queue = uniqueName("control-ts");
  const hostname = `ts-${queue}@test`;
  let app: Celery;
  let worker: Worker;
  let replyQueues: QueueSpec[];

  beforeAll(async () => {
    const broker = makeBroker();
    replyQueues = watchReplyQueues(broker);
    app = new Celery({ broker, backend: new MemoryBackend(), defaultQueue: queue });
    app.task("ctl.add", (x: number, y: number) => x + y);
    app.task("ctl.sleeper", abortableSleep);
    await app.connect();
    worker = app.worker({ queues: [queue], concurrency: 2, hostname, logger: quiet, heartbeatInterval: 60 });
    await worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    await app?.close();
  });

  it(`${label}: ping answers pong from the addressed worker only, without waiting out the timeout`, async () => {
    const started = Date.now();
    expect(await app.control.ping({ destination: [hostname], timeout: 5000 })).toEqual([{ [hostname]: { ok: "pong" } }]);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(await app.control.inspect({ destination: [hostname], timeout: REPLY_MS }).ping()).toEqual({ [hostname]: { ok: "pong" } });
  });

  it(`${label}: inspect registered, stats, active_queues and a pattern`, async () => {
    const inspect = app.control.inspect({ destination: [hostname], timeout: REPLY_MS });
    expect((await inspect.registered())?.[hostname]).toEqual(expect.arrayContaining(["ctl.add", "ctl.sleeper"]));
    expect((await inspect.stats())?.[hostname]).toMatchObject({ pid: process.pid });
    expect((await inspect.activeQueues())?.[hostname]).toEqual([expect.objectContaining({ name: queue })]);
    // Addressed by glob on the workers themselves; nobody else shares the unique queue name.
    const byPattern = await app.control.inspect({ pattern: `ts-${queue}@*`, matcher: "glob", timeout: 2000 }).ping();
    expect(byPattern).toEqual({ [hostname]: { ok: "pong" } });
  });

  it(`${label}: inspect active/query_task show a running task, and terminate revokes it`, async () => {
    const result = await app.sendTask("ctl.sleeper", [30]);
    const inspect = app.control.inspect({ destination: [hostname], timeout: REPLY_MS });
    await waitFor(async () => ((await inspect.active())?.[hostname] ?? []).some((task) => task.id === result.id), "the sleeper to be active");
    const active = (await inspect.active())![hostname]!.find((task) => task.id === result.id)!;
    expect(active).toMatchObject({ name: "ctl.sleeper", args: [30], hostname, acknowledged: true });
    expect((await inspect.queryTask(result.id))?.[hostname]).toEqual({ [result.id]: ["active", expect.objectContaining({ id: result.id })] });

    const replies = await app.control.revoke(result.id, { terminate: true, reply: true, destination: [hostname], timeout: REPLY_MS });
    expect(replies).toEqual([{ [hostname]: { ok: `terminate: ${result.id}` } }]);
    await waitFor(async () => (await result.state()) === "REVOKED", "REVOKED in the backend");
    expect((await inspect.revoked())?.[hostname]).toContain(result.id);
  });

  it(`${label}: control commands reply ok when asked, and rate_limit rejects a bad rate`, async () => {
    const to = { destination: [hostname], reply: true, timeout: REPLY_MS };
    expect(await app.control.rateLimit("ctl.add", "10/m", to)).toEqual([{ [hostname]: { ok: "new rate limit set successfully" } }]);
    expect(await app.control.rateLimit("ctl.add", "ten", to)).toEqual([{ [hostname]: { error: 'Invalid rate limit string: "ten"' } }]);
    expect(await app.control.rateLimit("ctl.missing", "1/s", to)).toEqual([{ [hostname]: { error: "unknown task" } }]);
    expect(await app.control.timeLimit("ctl.add", 5, 10, to)).toEqual([{ [hostname]: { ok: "time limits set successfully" } }]);
    expect(await app.control.poolGrow(1, to)).toEqual([{ [hostname]: { ok: "pool will grow" } }]);
    expect(await app.control.poolShrink(1, to)).toEqual([{ [hostname]: { ok: "pool will shrink" } }]);
    expect(await app.control.enableEvents(to)).toEqual([{ [hostname]: { ok: "task events enabled" } }]);
    expect(await app.control.disableEvents(to)).toEqual([{ [hostname]: { ok: "task events disabled" } }]);
    const extra = `${queue}-extra`;
    expect(await app.control.addConsumer(extra, to)).toEqual([{ [hostname]: { ok: `add consumer ${extra}` } }]);
    expect((await app.control.inspect({ destination: [hostname], timeout: REPLY_MS }).activeQueues())?.[hostname]?.map((q) => q.name)).toContain(extra);
    const sum = await app.sendTask("ctl.add", [2, 3], {}, { queue: extra });
    expect(await sum.get({ timeout: 5000 })).toBe(5);
    expect(await app.control.cancelConsumer(extra, to)).toEqual([{ [hostname]: { ok: `no longer consuming from ${extra}` } }]);
    await app.broker.deleteQueue(extra);
    // A cast resolves once published, with nothing to report.
    expect(await app.control.heartbeat({ destination: [hostname] })).toEqual([]);
  });

  it(`${label}: a call nobody answers returns [] / null after the timeout and removes its reply queue`, async () => {
    const before = replyQueues.length;
    const started = Date.now();
    expect(await app.control.ping({ destination: [`nobody-${queue}@nowhere`], timeout: 300 })).toEqual([]);
    expect(await app.control.inspect({ destination: [`nobody-${queue}@nowhere`], timeout: 300 }).active()).toBeNull();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(590);
    expect(elapsed).toBeLessThan(3000);
    const used = replyQueues.slice(before);
    expect(used).toHaveLength(2);
    for (const replyQueue of [...used, ...replyQueues]) expect(await replyQueueGone(replyQueue), `${replyQueue.name} removed`).toBe(true);
  });

  it(`${label}: purge empties the app's task queue and counts what it dropped`, async () => {
    const idle = uniqueName("control-purge");
    const purgeApp = new Celery({ broker: app.broker, defaultQueue: idle });
    await purgeApp.sendTask("ctl.add", [1, 1]);
    await purgeApp.sendTask("ctl.add", [1, 2]);
    await waitFor(async () => (await app.broker.queueSize(idle)) === 2, "two queued tasks");
    expect(await purgeApp.control.purge()).toBe(2);
    expect(await app.broker.queueSize(idle)).toBe(0);
    await app.broker.deleteQueue(idle);
  });
}

describe("app.control with our worker over the memory broker", () => {
  const url = `memory://${uniqueName("control")}`;
  controlSuite("memory", () => new MemoryBroker(url), async (queue) => (await new MemoryBroker(url).inspectQueues([queue.name]))[0]!.consumers === 0 && (await new MemoryBroker(url).queueSize(queue.name)) === 0);
});

await describeWith(["redis"], "app.control with our worker over Redis", () => {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  afterAll(() => redis.quit());
  controlSuite("redis", () => new RedisBroker(REDIS_URL), async (queue) => {
    const member = `${queue.routingKey}\x06\x16\x06\x16${queue.name}`;
    return (await redis.sismember("_kombu.binding.reply.celery.pidbox", member)) === 0 && (await redis.exists(queue.name)) === 0;
  });
});

await describeWith(["rabbitmq"], "app.control with our worker over RabbitMQ", () => {
  const probe = new AmqpBroker(AMQP_URL);
  afterAll(() => probe.close());
  controlSuite("rabbitmq", () => new AmqpBroker(AMQP_URL), async (queue) => {
    // inspectQueues cannot tell a missing queue from an empty one; a passive declare can.
    const { connect } = await import("amqplib");
    const connection = await connect(AMQP_URL.replace(/\/\/$/, "/"));
    try {
      const channel = await connection.createChannel();
      channel.on("error", () => undefined);
      return await channel.checkQueue(queue.name).then(
        () => false,
        () => true,
      );
    } finally {
      await connection.close().catch(() => undefined);
    }
  });
});
