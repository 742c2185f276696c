import { type AddressInfo, type Server, type Socket, connect, createServer } from "node:net";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { AmqpBroker, BrokerConnectionError, type CeleryError, type Delivery, type Message } from "../../../src/celery/index";
import { AMQP_URL, describeWith, uniqueName } from "../../support/services";

/** A TCP relay to RabbitMQ whose connections the test can cut, as a network failure would. */
class CuttableRelay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<number> {
    this.server = createServer((client) => {
      const upstream = connect(5672, "127.0.0.1");
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.sockets.add(from);
        from.pipe(to);
        from.on("error", () => to.destroy());
        from.on("close", () => {
          this.sockets.delete(from);
          to.destroy();
        });
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return (this.server!.address() as AddressInfo).port;
  }

  cut(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function message(body: string): Message {
  return { body: Buffer.from(body), contentType: "application/json", contentEncoding: "utf-8", headers: {}, properties: { delivery_mode: 2 } };
}

/** Resolves each time `predicate` first holds for a pushed item. */
class Waiter<T> {
  readonly items: T[] = [];
  private pending: { predicate: (item: T) => boolean; resolve: (item: T) => void }[] = [];
  readonly push = (item: T): void => {
    this.items.push(item);
    this.pending = this.pending.filter((p) => !(p.predicate(item) && (p.resolve(item), true)));
  };
  next(predicate: (item: T) => boolean = () => true): Promise<T> {
    return new Promise((resolve) => this.pending.push({ predicate, resolve }));
  }
}

await describeWith(["rabbitmq"], "AmqpBroker when the connection is lost", () => {
  const relay = new CuttableRelay();
  let relayUrl: string;
  let admin: AmqpBroker;
  let queue: string;

  beforeAll(async () => {
    relayUrl = `amqp://guest:guest@127.0.0.1:${await relay.start()}//`;
    admin = new AmqpBroker(AMQP_URL);
    await admin.connect();
  });
  afterEach(async () => {
    await admin.deleteQueue(queue);
    await admin.deleteExchange(queue);
  });
  afterAll(async () => {
    await admin.close();
    await relay.stop();
  });

  it("reports the loss, requeues the unacked delivery and re-subscribes the consumer", async () => {
    queue = uniqueName("amqp-loss");
    await admin.declareQueue({ name: queue });
    await admin.publish(message('"survives"'), { exchange: "", routingKey: queue });
    const errors = new Waiter<CeleryError>();
    const deliveries = new Waiter<Delivery>();
    const worker = new AmqpBroker(relayUrl, { onError: errors.push, reconnect: { initialDelayMs: 50, maxRetries: 20 } });
    const firstDelivery = deliveries.next();
    const consumer = await worker.consume([{ name: queue }], deliveries.push, { prefetch: 1 });
    const first = await firstDelivery;
    expect(first.redelivered).toBe(false);

    const lost = errors.next();
    const redelivered = deliveries.next();
    relay.cut();
    const error = await lost;
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect(error.message).toContain("Lost the connection to RabbitMQ at amqp://guest:**@127.0.0.1:");
    await expect(first.ack()).rejects.toBeInstanceOf(BrokerConnectionError);

    const again = await redelivered;
    expect(again.message.body.toString()).toBe('"survives"');
    expect(again.redelivered).toBe(true);
    await again.ack();
    await consumer.cancel();
    await worker.close();
    expect(await admin.queueSize(queue)).toBe(0);
  });

  it("rejects calls made while the broker is unreachable, then reconnects on the next call", async () => {
    queue = uniqueName("amqp-loss");
    await admin.declareQueue({ name: queue });
    const errors = new Waiter<CeleryError>();
    const producer = new AmqpBroker(relayUrl, { onError: errors.push });
    await producer.publish(message('"before"'), { exchange: "", routingKey: queue });
    const lost = errors.next();
    relay.cut();
    await lost;
    await producer.publish(message('"after"'), { exchange: "", routingKey: queue });
    expect(await admin.queueSize(queue)).toBe(2);
    await producer.close();

    const unreachable = new AmqpBroker("amqp://guest:guest@127.0.0.1:1//", { connectTimeoutMs: 1000 });
    await expect(unreachable.publish(message('"nowhere"'), { exchange: "", routingKey: queue })).rejects.toThrow(/Cannot connect to RabbitMQ at amqp:\/\/guest:\*\*@127\.0\.0\.1:1\/\//);
    await unreachable.close();
  });

  it("stops after the loss when reconnecting is turned off, and says so", async () => {
    queue = uniqueName("amqp-loss");
    await admin.declareQueue({ name: queue });
    const errors = new Waiter<CeleryError>();
    const worker = new AmqpBroker(relayUrl, { onError: errors.push, reconnect: false });
    await worker.consume([{ name: queue }], () => undefined, { prefetch: 1 });
    const lost = errors.next();
    relay.cut();
    const error = await lost;
    expect(error.code).toBe("BROKER_CONNECTION");
    expect(error.message).toMatch(/reconnecting is off/i);
    await worker.close();
  });
});
