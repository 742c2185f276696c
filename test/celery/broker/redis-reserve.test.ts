// The Redis consumer's batched reserve: many waiting messages per round trip, never past the prefetch limit, each recorded in kombu's unacked bookkeeping; a killed consumer's messages come back through the visibility timeout.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { RedisBroker, type Delivery, type Message } from "../../../src/celery/index";
import { describeWith, REDIS_URL, uniqueName } from "../../support/services";

const HOLDER = fileURLToPath(new URL("./redis-reserve-holder.ts", import.meta.url));

function message(body: string): Message {
  return { body: Buffer.from(body), contentType: "application/json", contentEncoding: "utf-8", headers: { lang: "py", task: "t" }, properties: { delivery_mode: 2 } };
}

interface Envelope {
  body: string;
  headers: Record<string, unknown>;
  properties: { delivery_tag: string; delivery_info: Record<string, unknown> };
}

await describeWith(["redis"], "RedisBroker reserve", () => {
  let redis: Redis;
  let broker: RedisBroker;
  let prefix: string;
  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    // A private key prefix keeps this file's `unacked*` keys apart from other tests'.
    prefix = `${uniqueName("reserve")}:`;
    broker = new RedisBroker(REDIS_URL, { globalKeyprefix: prefix, visibilityTimeout: 1 });
    await broker.connect();
  });
  afterAll(async () => {
    await broker.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("takes what is waiting in one round trip up to the prefetch limit, each in unacked with the text kombu writes", async () => {
    const queue = uniqueName("batch");
    for (let i = 0; i < 10; i++) await broker.publish(message(`${i}`), { exchange: "", routingKey: queue });
    const raws = (await redis.lrange(`${prefix}${queue}`, 0, -1)).reverse();
    const monitor = await redis.duplicate().monitor();
    const commands: string[] = [];
    monitor.on("monitor", (_time: string, args: string[]) => {
      if (args.some((arg) => arg === `${prefix}${queue}`)) commands.push(args[0]!.toLowerCase());
    });
    const received: Delivery[] = [];
    const consumer = await broker.consume([{ name: queue }], (delivery) => received.push(delivery), { prefetch: 4 });
    await vi.waitFor(() => expect(received).toHaveLength(4));
    await new Promise((resolve) => setTimeout(resolve, 200));
    monitor.disconnect();
    // The first four, in queue order, from one script call; nothing more while none is acked.
    expect(received.map((delivery) => delivery.message.body.toString())).toEqual(["0", "1", "2", "3"]);
    expect(commands.filter((command) => command === "eval" || command === "evalsha")).toHaveLength(1);
    expect(commands.filter((command) => command === "rpop")).toHaveLength(4);
    expect(commands).not.toContain("brpop");
    expect(await redis.llen(`${prefix}${queue}`)).toBe(6);
    for (const [i, delivery] of received.entries()) {
      const raw = raws[i]!;
      expect(delivery.deliveryTag).toBe((JSON.parse(raw) as Envelope).properties.delivery_tag);
      expect(await redis.hget(`${prefix}unacked`, delivery.deliveryTag)).toBe(`[${raw}, "", ${JSON.stringify(queue)}]`);
      expect(Number(await redis.zscore(`${prefix}unacked_index`, delivery.deliveryTag))).toBeGreaterThan(1e9);
    }
    // Two acks make room for exactly two more.
    await received[0]!.ack();
    await received[1]!.ack();
    await vi.waitFor(() => expect(received).toHaveLength(6));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toHaveLength(6);
    expect(await redis.hlen(`${prefix}unacked`)).toBe(4);
    expect(await redis.hget(`${prefix}unacked`, received[0]!.deliveryTag)).toBeNull();
    for (const delivery of received.slice(2)) await delivery.ack();
    await vi.waitFor(() => expect(received).toHaveLength(10));
    for (const delivery of received.slice(6)) await delivery.ack();
    await consumer.cancel();
    expect(await redis.hlen(`${prefix}unacked`)).toBe(0);
    expect(await redis.zcard(`${prefix}unacked_index`)).toBe(0);
    await broker.deleteQueue(queue);
  });

  it("records a message whose routing key the script cannot write as Python would, escaped", async () => {
    const queue = uniqueName("unicode-é");
    await broker.publish(message('"u"'), { exchange: "", routingKey: queue });
    const raw = (await redis.lrange(`${prefix}${queue}`, 0, -1))[0]!;
    const received: Delivery[] = [];
    const consumer = await broker.consume([{ name: queue }], (delivery) => received.push(delivery), { prefetch: 2 });
    await vi.waitFor(() => expect(received).toHaveLength(1));
    // json.dumps(["…", "", "unicode-é…"]) escapes the é as \u00e9.
    expect(await redis.hget(`${prefix}unacked`, received[0]!.deliveryTag)).toBe(`[${raw}, "", ${JSON.stringify(queue).replace("é", "\\u00e9")}]`);
    await received[0]!.ack();
    await consumer.cancel();
    await broker.deleteQueue(queue);
  });

  it("gives back everything a cancelled consumer reserved and did not settle, at the consuming end", async () => {
    const queue = uniqueName("cancel");
    for (let i = 0; i < 5; i++) await broker.publish(message(`${i}`), { exchange: "", routingKey: queue });
    const received: Delivery[] = [];
    const consumer = await broker.consume([{ name: queue }], (delivery) => received.push(delivery), { prefetch: 3 });
    await vi.waitFor(() => expect(received).toHaveLength(3));
    await received[0]!.ack();
    await vi.waitFor(() => expect(received).toHaveLength(4));
    await consumer.cancel();
    expect(await redis.hlen(`${prefix}unacked`)).toBe(0);
    const items = (await redis.lrange(`${prefix}${queue}`, 0, -1)).map((item) => JSON.parse(item) as Envelope);
    // kombu's restore_unacked RPUSHes in delivery order, so the consuming end gets 3, 2, 1, then
    // 4, which was never taken. Nothing is lost or left in unacked.
    expect(items.map((item) => Buffer.from(item.body, "base64").toString()).reverse()).toEqual(["3", "2", "1", "4"]);
    expect(items.slice(1).every((item) => item.headers.redelivered === true)).toBe(true);
    expect(items[0]!.headers.redelivered).toBeUndefined();
    await broker.deleteQueue(queue);
  });

  it("returns the messages a killed consumer had reserved once the visibility timeout passes", async () => {
    const queue = uniqueName("killed");
    for (let i = 0; i < 8; i++) await broker.publish(message(`${i}`), { exchange: "", routingKey: queue });
    const child = spawn(process.execPath, ["--import", "tsx", HOLDER, REDIS_URL, prefix, queue, "5"], { stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("holding 5")) resolve();
        });
        void exited.then((code) => reject(new Error(`the holder exited with ${String(code)} before holding 5`)));
      });
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    expect(await redis.llen(`${prefix}${queue}`)).toBe(3);
    expect(await redis.hlen(`${prefix}unacked`)).toBe(5);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await broker.restoreVisible()).toBe(5);
    const items = (await redis.lrange(`${prefix}${queue}`, 0, -1)).map((item) => JSON.parse(item) as Envelope);
    expect(items.map((item) => Buffer.from(item.body, "base64").toString()).sort()).toEqual(["0", "1", "2", "3", "4", "5", "6", "7"]);
    expect(items.filter((item) => item.headers.redelivered === true)).toHaveLength(5);
    expect(await redis.hlen(`${prefix}unacked`)).toBe(0);
    await broker.deleteQueue(queue);
  }, 30_000);
});
