// The conformance suite every Broker implementation runs: the semantics Celery relies on, stated once.

import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import type { Broker, Consumer, ConsumeOptions, Delivery, Message, QueueSpec } from "../../../src/celery/index";
import { uniqueName } from "../../support/services";

export interface ConformanceHooks {
  /**
   * Puts something into `queue` that the transport cannot turn into a delivery (Redis: a list
   * item that is not an envelope). When given, the suite checks that consumption survives it.
   */
  injectMalformed?: (queue: string) => Promise<void>;
}

/** Collects deliveries and lets a test wait for the n-th one. */
class Inbox {
  readonly deliveries: Delivery[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  readonly push = (delivery: Delivery): void => {
    this.deliveries.push(delivery);
    this.waiters = this.waiters.filter((waiter) => {
      if (this.deliveries.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  };

  async waitFor(count: number, timeoutMs = 5000): Promise<Delivery[]> {
    if (this.deliveries.length < count) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${count} deliveries, got ${this.deliveries.length}`)), timeoutMs);
        this.waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    return this.deliveries.slice(0, count);
  }

  bodies(): string[] {
    return this.deliveries.map((delivery) => delivery.message.body.toString("utf8"));
  }
}

function message(body: string | Buffer, extra: Partial<Message> = {}): Message {
  return {
    body: typeof body === "string" ? Buffer.from(body, "utf8") : body,
    contentType: "application/json",
    contentEncoding: "utf-8",
    headers: {},
    properties: { delivery_mode: 2 },
    ...extra,
  };
}

// Long enough for any transport to have pushed a delivery it should not have pushed.
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 300));

/**
 * Declares the broker conformance tests. Priority order follows the transport: on Redis a lower
 * number is more urgent (kombu's BRPOP key order); on AMQP and memory a higher one is.
 */
export function brokerConformance(name: string, makeBroker: () => Promise<Broker>, hooks: ConformanceHooks = {}): void {
  let broker: Broker;
  let queues: string[] = [];
  let consumers: Consumer[] = [];

  beforeAll(async () => {
    broker = await makeBroker();
    await broker.connect();
  });
  afterEach(async () => {
    await Promise.all(consumers.map((consumer) => consumer.cancel()));
    await Promise.all(queues.map((queue) => broker.deleteQueue(queue)));
    consumers = [];
    queues = [];
  });
  afterAll(async () => {
    await broker?.close();
  });

  /** A fresh queue bound to its own direct exchange, as Celery's automatic queues are. */
  async function queue(spec: Partial<QueueSpec> = {}): Promise<QueueSpec> {
    const queueName = uniqueName(`conf-${name}`);
    const full: QueueSpec = {
      name: queueName,
      exchange: { name: queueName, type: "direct", durable: false, autoDelete: true },
      routingKey: queueName,
      durable: false,
      ...spec,
    };
    await broker.declareQueue(full);
    queues.push(full.name);
    return full;
  }

  async function consume(specs: QueueSpec[], options?: ConsumeOptions): Promise<Inbox> {
    const inbox = new Inbox();
    consumers.push(await broker.consume(specs, inbox.push, options));
    return inbox;
  }

  async function cancelAll(): Promise<void> {
    await Promise.all(consumers.map((consumer) => consumer.cancel()));
    consumers = [];
  }

  it(`${name}: delivers the messages of one queue in the order they were published`, async () => {
    const q = await queue();
    for (let i = 0; i < 5; i++) await broker.publish(message(`"m${i}"`), { exchange: "", routingKey: q.name });
    const inbox = await consume([q], { noAck: true });
    await inbox.waitFor(5);
    expect(inbox.bodies()).toEqual(['"m0"', '"m1"', '"m2"', '"m3"', '"m4"']);
    expect(inbox.deliveries.every((d) => d.queue === q.name && d.redelivered === false)).toBe(true);
  });

  it(`${name}: routes through a direct exchange by exact routing key`, async () => {
    const exchange = { name: uniqueName(`conf-${name}-direct`), type: "direct" as const, durable: false, autoDelete: true };
    const a = await queue({ exchange, routingKey: "a" });
    const b = await queue({ exchange, routingKey: "b" });
    await broker.publish(message('"to b"'), { exchange: exchange.name, routingKey: "b" });
    const inbox = await consume([a, b], { noAck: true });
    const [delivery] = await inbox.waitFor(1);
    expect(delivery!.queue).toBe(b.name);
    expect(delivery!.exchange).toBe(exchange.name);
    expect(delivery!.routingKey).toBe("b");
    expect(await broker.queueSize(a.name)).toBe(0);
  });

  it(`${name}: routes through a topic exchange by pattern`, async () => {
    const exchange = { name: uniqueName(`conf-${name}-topic`), type: "topic" as const, durable: false, autoDelete: true };
    const nyse = await queue({ exchange, routingKey: "stock.*.nyse" });
    const all = await queue({ exchange, routingKey: "stock.#" });
    await broker.publish(message('"usd"'), { exchange: exchange.name, routingKey: "stock.usd.nyse" });
    await broker.publish(message('"eur"'), { exchange: exchange.name, routingKey: "stock.eur.lse" });
    await broker.publish(message('"none"'), { exchange: exchange.name, routingKey: "bond.usd.nyse" });
    expect(await broker.queueSize(nyse.name)).toBe(1);
    expect(await broker.queueSize(all.name)).toBe(2);
  });

  it(`${name}: the default exchange delivers to the queue named by the routing key`, async () => {
    const q = await queue({ exchange: { name: uniqueName(`conf-${name}-other`), type: "direct", durable: false, autoDelete: true }, routingKey: "elsewhere" });
    await broker.publish(message('"direct to queue"'), { exchange: "", routingKey: q.name });
    const inbox = await consume([q], { noAck: true });
    const [delivery] = await inbox.waitFor(1);
    expect(delivery!.message.body.toString()).toBe('"direct to queue"');
    expect(delivery!.exchange).toBe("");
    expect(delivery!.routingKey).toBe(q.name);
  });

  it(`${name}: a fanout exchange delivers every message to every subscriber`, async () => {
    const exchange = { name: uniqueName(`conf-${name}-fanout`), type: "fanout" as const, durable: false, autoDelete: true };
    const first = await queue({ exchange, routingKey: "", autoDelete: true });
    const second = await queue({ exchange, routingKey: "", autoDelete: true });
    const inboxFirst = await consume([first], { noAck: true });
    const inboxSecond = await consume([second], { noAck: true });
    await broker.publish(message('"broadcast"'), { exchange: exchange.name, routingKey: "" });
    const [a] = await inboxFirst.waitFor(1);
    const [b] = await inboxSecond.waitFor(1);
    expect(a!.message.body.toString()).toBe('"broadcast"');
    expect(b!.message.body.toString()).toBe('"broadcast"');
    expect(a!.queue).toBe(first.name);
    expect(b!.queue).toBe(second.name);
    expect(a!.exchange).toBe(exchange.name);
  });

  it(`${name}: serves more urgent priorities first`, async () => {
    const q = await queue({ arguments: { "x-max-priority": 10 } });
    for (const [body, priority] of [["p0a", 0], ["p9", 9], ["p5", 5], ["p0b", 0]] as const) {
      await broker.publish(message(`"${body}"`, { properties: { delivery_mode: 2, priority } }), { exchange: "", routingKey: q.name });
    }
    const inbox = await consume([q], { prefetch: 1 });
    for (let i = 1; i <= 4; i++) {
      const deliveries = await inbox.waitFor(i);
      await deliveries[i - 1]!.ack();
    }
    const expected = broker.driverType === "redis" ? ['"p0a"', '"p0b"', '"p5"', '"p9"'] : ['"p9"', '"p5"', '"p0a"', '"p0b"'];
    expect(inbox.bodies()).toEqual(expected);
  });

  it(`${name}: an acked message is gone for good`, async () => {
    const q = await queue();
    await broker.publish(message('"once"'), { exchange: "", routingKey: q.name });
    const inbox = await consume([q]);
    const [delivery] = await inbox.waitFor(1);
    await delivery!.ack();
    await cancelAll();
    expect(await broker.queueSize(q.name)).toBe(0);
  });

  it(`${name}: reject with requeue redelivers the message, reject without drops it`, async () => {
    const q = await queue();
    await broker.publish(message('"again"'), { exchange: "", routingKey: q.name });
    const inbox = await consume([q]);
    const [first] = await inbox.waitFor(1);
    expect(first!.redelivered).toBe(false);
    await first!.reject(true);
    const [, second] = await inbox.waitFor(2);
    expect(second!.message.body.toString()).toBe('"again"');
    expect(second!.redelivered).toBe(true);
    await second!.reject(false);
    await cancelAll();
    expect(await broker.queueSize(q.name)).toBe(0);
  });

  it(`${name}: unacked deliveries come back, marked redelivered, when their consumer is cancelled`, async () => {
    const q = await queue();
    await broker.publish(message('"unfinished"'), { exchange: "", routingKey: q.name });
    const before = await consume([q]);
    await before.waitFor(1);
    await cancelAll();
    expect(await broker.queueSize(q.name)).toBe(1);
    const after = await consume([q]);
    const [delivery] = await after.waitFor(1);
    expect(delivery!.message.body.toString()).toBe('"unfinished"');
    expect(delivery!.redelivered).toBe(true);
    await delivery!.ack();
  });

  it(`${name}: holds no more than prefetch unacked deliveries at once`, async () => {
    const q = await queue();
    for (let i = 0; i < 5; i++) await broker.publish(message(`"m${i}"`), { exchange: "", routingKey: q.name });
    const inbox = await consume([q], { prefetch: 2 });
    await inbox.waitFor(2);
    await settle();
    expect(inbox.deliveries).toHaveLength(2);
    await inbox.deliveries[0]!.ack();
    await inbox.waitFor(3);
    await settle();
    expect(inbox.deliveries).toHaveLength(3);
    for (const delivery of inbox.deliveries.slice(1)) await delivery.ack();
    const all = await inbox.waitFor(5);
    for (const delivery of all.slice(3)) await delivery.ack();
  });

  it(`${name}: counts waiting messages of every priority and purges them`, async () => {
    const q = await queue({ arguments: { "x-max-priority": 10 } });
    await broker.publish(message('"a"'), { exchange: "", routingKey: q.name });
    await broker.publish(message('"b"', { properties: { delivery_mode: 2, priority: 6 } }), { exchange: "", routingKey: q.name });
    await broker.publish(message('"c"', { properties: { delivery_mode: 2, priority: 9 } }), { exchange: "", routingKey: q.name });
    expect(await broker.queueSize(q.name)).toBe(3);
    expect(await broker.purge(q.name)).toBe(3);
    expect(await broker.queueSize(q.name)).toBe(0);
  });

  it(`${name}: inspects several queues at once, priorities summed, a missing queue read as empty`, async () => {
    const busy = await queue({ arguments: { "x-max-priority": 10 } });
    const idle = await queue();
    const missing = uniqueName(`conf-${name}-missing`);
    await broker.publish(message('"a"'), { exchange: "", routingKey: busy.name });
    await broker.publish(message('"b"', { properties: { delivery_mode: 2, priority: 3 } }), { exchange: "", routingKey: busy.name });
    await broker.publish(message('"c"', { properties: { delivery_mode: 2, priority: 9 } }), { exchange: "", routingKey: busy.name });
    await consume([idle]);
    const infos = await broker.inspectQueues([busy.name, idle.name, missing]);
    expect(infos.map(({ name: queueName, messages }) => [queueName, messages])).toEqual([[busy.name, 3], [idle.name, 0], [missing, 0]]);
    // Only transports with a consumer registry count consumers; where they do, the count is exact.
    if (broker.driverType !== "redis") expect(infos.map((info) => info.consumers)).toEqual([0, 1, 0]);
    expect(await broker.inspectQueues([])).toEqual([]);
  });

    it(`${name}: keeps headers, properties and binary bodies intact`, async () => {
    const q = await queue();
    const body = Buffer.from([0x00, 0xff, 0x80, 0x0a, 0x22, 0x5c, 0xc3, 0x28]);
    const headers = { lang: "py", task: "tâche.ünïcode ✓ 日本", retries: 3, eta: null, ignore_result: false, timelimit: [null, null], nested: { "clé": ["v", 1] } };
    await broker.publish(
      message(body, {
        contentType: "application/x-binary",
        contentEncoding: "binary",
        headers,
        properties: { correlation_id: "id-ü-1", reply_to: "reply-ö", delivery_mode: 2 },
      }),
      { exchange: "", routingKey: q.name },
    );
    const text = '["héllo", {"emoji": "😀"}]';
    await broker.publish(message(text), { exchange: "", routingKey: q.name });
    const inbox = await consume([q], { noAck: true });
    const [binary, unicode] = await inbox.waitFor(2);
    expect(binary!.message.body.equals(body)).toBe(true);
    expect(binary!.message.contentType).toBe("application/x-binary");
    expect(binary!.message.contentEncoding).toBe("binary");
    expect(binary!.message.headers).toMatchObject(headers);
    expect(binary!.message.properties).toMatchObject({ correlation_id: "id-ü-1", reply_to: "reply-ö", delivery_mode: 2 });
    expect(unicode!.message.body.toString("utf8")).toBe(text);
    expect(unicode!.message.contentEncoding).toBe("utf-8");
  });

  it(`${name}: delivers a body its content type cannot decode: judging it is the consumer's job`, async () => {
    const q = await queue();
    await broker.publish(message("{not json"), { exchange: "", routingKey: q.name });
    await broker.publish(message('"fine"'), { exchange: "", routingKey: q.name });
    const inbox = await consume([q], { noAck: true });
    await inbox.waitFor(2);
    expect(inbox.bodies()).toEqual(["{not json", '"fine"']);
  });

  if (hooks.injectMalformed) {
    const injectMalformed = hooks.injectMalformed;
    it(`${name}: reports a malformed message in a queue and keeps consuming`, async () => {
      const q = await queue();
      await injectMalformed(q.name);
      await broker.publish(message('"after garbage"'), { exchange: "", routingKey: q.name });
      const errors: Error[] = [];
      const inbox = await consume([q], { onError: (error) => errors.push(error) });
      const [delivery] = await inbox.waitFor(1);
      expect(delivery!.message.body.toString()).toBe('"after garbage"');
      await delivery!.ack();
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toContain(q.name);
    });
  }
}
