import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AmqpBroker, BrokerConnectionError, type CeleryError, type Consumer, type Delivery, type Message } from "../../../src/celery/index";
import { AMQP_URL, describeWith, uniqueName } from "../../support/services";
import { brokerConformance } from "./broker-conformance";

function message(body: string, extra: Partial<Message> = {}): Message {
  return { body: Buffer.from(body), contentType: "application/json", contentEncoding: "utf-8", headers: {}, properties: { delivery_mode: 2 }, ...extra };
}

const consumers: Consumer[] = [];

/** The first delivery from the queue; the consumer stays until the suite ends. */
function nextDelivery(broker: AmqpBroker, queue: string): Promise<Delivery> {
  return new Promise((resolve, reject) => {
    broker.consume([{ name: queue }], resolve, { prefetch: 1 }).then((consumer) => consumers.push(consumer), reject);
  });
}

describe("AmqpBroker URLs", () => {
  it("masks the password in displayUrl the way kombu's sanitize_url does", () => {
    expect(new AmqpBroker("amqp://guest:secret@127.0.0.1:5672//").displayUrl).toBe("amqp://guest:**@127.0.0.1:5672//");
    expect(new AmqpBroker("pyamqp://u:p%40ss@rabbit/celery?heartbeat=10").displayUrl).toBe("pyamqp://u:**@rabbit/celery");
    expect(new AmqpBroker("amqps://rabbit:5671/").displayUrl).toBe("amqps://rabbit:5671/");
    expect(new AmqpBroker("amqp://").displayUrl).toBe("amqp:///");
  });

  it("says it is an amqp driver", () => {
    expect(new AmqpBroker(AMQP_URL).driverType).toBe("amqp");
  });

  it("refuses URLs that are not AMQP, and heartbeats that are not seconds", () => {
    expect(() => new AmqpBroker("redis://127.0.0.1:6379/0")).toThrow(/not an AMQP URL/);
    expect(() => new AmqpBroker("amqp://h/?heartbeat=soon")).toThrow(/heartbeat/);
  });
});

await describeWith(["rabbitmq"], "AmqpBroker on RabbitMQ", () => {
  brokerConformance("amqp", () => Promise.resolve(new AmqpBroker(AMQP_URL)));

  let broker: AmqpBroker;
  const created: { queues: string[]; exchanges: string[] } = { queues: [], exchanges: [] };

  beforeAll(async () => {
    broker = new AmqpBroker(AMQP_URL);
    await broker.connect();
  });
  afterAll(async () => {
    for (const consumer of consumers) await consumer.cancel();
    for (const queue of created.queues) await broker.deleteQueue(queue);
    for (const exchange of created.exchanges) await broker.deleteExchange(exchange);
    await broker.close();
  });

  /** A queue with Celery's automatic topology: durable queue + durable direct exchange of the same name. */
  async function celeryQueue(args?: Record<string, unknown>): Promise<string> {
    const name = uniqueName("amqp");
    await broker.declareQueue({ name, arguments: args });
    created.queues.push(name);
    created.exchanges.push(name);
    return name;
  }

  it("checks missing queues without failing declarations running at the same moment", async () => {
    // RabbitMQ closes the channel of a 404: the checks must not share it with other work.
    const names = Array.from({ length: 5 }, () => uniqueName("declared"));
    const [infos] = await Promise.all([
      broker.inspectQueues(Array.from({ length: 20 }, () => uniqueName("missing"))),
      ...names.map((name) => broker.declareQueue({ name, autoDelete: true })),
      broker.purge(uniqueName("missing")),
    ]);
    expect(infos.every((info) => info.messages === 0)).toBe(true);
    expect(await broker.inspectQueues(names)).toEqual(names.map((name) => ({ name, messages: 0, consumers: 0 })));
    await Promise.all(names.map((name) => broker.deleteQueue(name)));
  });

  it("reaches the default vhost whether the URL writes it as //, %2F or leaves it out", async () => {
    for (const url of ["amqp://guest:guest@127.0.0.1:5672//", "amqp://guest:guest@127.0.0.1:5672/%2F", "amqp://guest:guest@127.0.0.1:5672", "pyamqp://guest:guest@127.0.0.1/?heartbeat=30"]) {
      const other = new AmqpBroker(url);
      await other.connect();
      await other.close();
    }
  });

  it("fails to connect with a BrokerConnectionError that names the masked URL", async () => {
    const vhost = uniqueName("no-such-vhost");
    const other = new AmqpBroker(`amqp://guest:guest@127.0.0.1:5672/${vhost}`);
    const error = (await other.connect().catch((e: unknown) => e)) as CeleryError;
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect(error.code).toBe("BROKER_CONNECTION");
    expect(error.message).toContain(`amqp://guest:**@127.0.0.1:5672/${vhost}`);
    await other.close();
  });

  it("resolves publish only once RabbitMQ has the message (publisher confirms)", async () => {
    const queue = await celeryQueue();
    await broker.publish(message('"confirmed"'), { exchange: "", routingKey: queue });
    expect(await broker.queueSize(queue)).toBe(1);
    expect(await broker.purge(queue)).toBe(1);
  });

  it("without publisher confirms (kombu's default) still delivers every message, in order", async () => {
    const fast = new AmqpBroker(AMQP_URL, { confirmPublish: false });
    const queue = uniqueName("no-confirm");
    await fast.declareQueue({ name: queue });
    for (let i = 0; i < 500; i++) await fast.publish(message(String(i)), { exchange: "", routingKey: queue });
    const bodies: string[] = [];
    const done = new Promise<void>((resolve) => {
      void fast.consume([{ name: queue }], (delivery) => {
        bodies.push(delivery.message.body.toString());
        void delivery.ack();
        if (bodies.length === 500) resolve();
      }, { prefetch: 100 }).then((consumer) => consumers.push(consumer));
    });
    await done;
    expect(bodies).toEqual(Array.from({ length: 500 }, (_, i) => String(i)));
    await fast.deleteQueue(queue);
    await fast.close();
  });

  it("routes through the queue's named direct exchange as well as through the default exchange", async () => {
    const queue = await celeryQueue();
    await broker.publish(message('"named"'), { exchange: queue, routingKey: queue });
    await broker.publish(message('"default"'), { exchange: "", routingKey: queue });
    expect(await broker.queueSize(queue)).toBe(2);
  });

  it("rejects a publish RabbitMQ nacks with a BrokerConnectionError", async () => {
    const queue = await celeryQueue({ "x-max-length": 1, "x-overflow": "reject-publish" });
    await broker.publish(message('"fits"'), { exchange: "", routingKey: queue });
    const error = await broker.publish(message('"overflows"'), { exchange: "", routingKey: queue }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect((error as Error).message).toMatch(/nacked/);
    expect(await broker.queueSize(queue)).toBe(1);
  });

  it("rejects a publish to a missing exchange with the server's reason, and keeps publishing afterwards", async () => {
    const exchange = uniqueName("missing-exchange");
    const error = await broker.publish(message('"lost"'), { exchange, routingKey: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect((error as Error).message).toMatch(/NOT_FOUND/);
    const queue = await celeryQueue();
    await broker.publish(message('"after"'), { exchange: "", routingKey: queue });
    expect(await broker.queueSize(queue)).toBe(1);
  });

  it("reports an inequivalent redeclaration as an operational error, not a lost connection", async () => {
    const queue = await celeryQueue();
    const error = (await broker.declareQueue({ name: queue, durable: false }).catch((e: unknown) => e)) as CeleryError;
    expect(error.code).toBe("OPERATIONAL_ERROR");
    expect(error.message).toMatch(/PRECONDITION_FAILED/);
    expect(await broker.queueSize(queue)).toBe(0);
  });

  it("sends every AMQP property it is given and omits the ones it is not", async () => {
    const queue = await celeryQueue();
    const properties = { correlation_id: "c-1", reply_to: "r-1", delivery_mode: 2 as const, priority: 3, expiration: "60000", message_id: "m-1", type: "t", app_id: "a" };
    await broker.publish(message("{}", { properties }), { exchange: "", routingKey: queue });
    await broker.publish(message("{}", { properties: { delivery_mode: 1 } }), { exchange: "", routingKey: queue });
    const received: Delivery[] = [];
    await new Promise<void>((resolve, reject) => {
      const collect = (delivery: Delivery) => {
        received.push(delivery);
        if (received.length === 2) resolve();
      };
      broker.consume([{ name: queue }], collect, { noAck: true }).then((consumer) => consumers.push(consumer), reject);
    });
    expect(received[0]!.message.properties).toEqual(properties);
    expect(received[1]!.message.properties).toEqual({ delivery_mode: 1 });
  });

  it("refuses property values RabbitMQ would answer by closing the channel", async () => {
    const queue = await celeryQueue();
    await expect(broker.publish(message("{}", { properties: { expiration: "soon" } }), { exchange: "", routingKey: queue })).rejects.toThrow(/expiration/);
    await expect(broker.publish(message("{}", { properties: { priority: 1.5 } }), { exchange: "", routingKey: queue })).rejects.toThrow(/priority/);
    expect(await broker.queueSize(queue)).toBe(0);
  });

  it("requeues unacked deliveries, marked redelivered, when the consuming connection closes", async () => {
    const queue = await celeryQueue();
    await broker.publish(message('"unfinished"'), { exchange: "", routingKey: queue });
    const worker = new AmqpBroker(AMQP_URL);
    const first = await nextDelivery(worker, queue);
    expect(first.redelivered).toBe(false);
    await worker.close();
    await expect(first.ack()).rejects.toBeInstanceOf(BrokerConnectionError);
    const again = await nextDelivery(broker, queue);
    expect(again.message.body.toString()).toBe('"unfinished"');
    expect(again.redelivered).toBe(true);
    await again.ack();
  });

  it("refuses to settle a delivery twice", async () => {
    const queue = await celeryQueue();
    await broker.publish(message('"once"'), { exchange: "", routingKey: queue });
    const delivery = await nextDelivery(broker, queue);
    await delivery.ack();
    await expect(delivery.reject(true)).rejects.toThrow(/already acknowledged/);
  });

  it("refuses work after close and works again after connect", async () => {
    const other = new AmqpBroker(AMQP_URL);
    await other.connect();
    await other.close();
    await expect(other.queueSize("anything")).rejects.toBeInstanceOf(BrokerConnectionError);
    await other.connect();
    expect(await other.queueSize(uniqueName("absent"))).toBe(0);
    await other.close();
  });
});
