// A Broker that records what the event classes ask of it and lets a test hand deliveries in,
// so dispatcher and receiver logic can be checked without a server.

import type { Broker, ConsumeOptions, Consumer, Delivery, DriverType, ExchangeSpec, Message, PublishTarget, QueueInfo, QueueSpec } from "../../../src/celery/index";

export interface Published {
  message: Message;
  target: PublishTarget;
  /** The body as text. */
  text: string;
}

export interface Settlement {
  deliveryTag: string;
  outcome: "ack" | "requeue" | "drop";
}

export class RecordingBroker implements Broker {
  readonly displayUrl = "recording://";
  readonly exchanges: ExchangeSpec[] = [];
  readonly queues: QueueSpec[] = [];
  readonly deleted: string[] = [];
  readonly published: Published[] = [];
  readonly settlements: Settlement[] = [];
  consumeOptions: ConsumeOptions | undefined;
  failPublish: Error | null = null;
  private onDelivery: ((delivery: Delivery) => void) | null = null;
  private tags = 0;

  constructor(readonly driverType: DriverType) {}

  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  async declareExchange(exchange: ExchangeSpec): Promise<void> {
    this.exchanges.push(exchange);
  }
  async declareQueue(queue: QueueSpec): Promise<void> {
    this.queues.push(queue);
  }
  async deleteQueue(name: string): Promise<void> {
    this.deleted.push(name);
  }
  async publish(message: Message, target: PublishTarget): Promise<void> {
    if (this.failPublish) throw this.failPublish;
    this.published.push({ message, target, text: message.body.toString("utf8") });
  }
  async consume(queues: QueueSpec[], onDelivery: (delivery: Delivery) => void, options?: ConsumeOptions): Promise<Consumer> {
    this.queues.push(...queues);
    this.consumeOptions = options;
    this.onDelivery = onDelivery;
    return {
      queues: queues.map((queue) => queue.name),
      cancel: async () => {
        this.onDelivery = null;
      },
    };
  }
  async queueSize(): Promise<number> {
    return 0;
  }
  async inspectQueues(names: readonly string[]): Promise<QueueInfo[]> {
    return names.map((name) => ({ name, messages: 0 }));
  }
  async purge(): Promise<number> {
    return 0;
  }

  /** Hands a body to the consumer as if it came from the celeryev exchange. */
  deliver(body: string, routingKey = "task.multi", contentType = "application/json"): string {
    if (!this.onDelivery) throw new Error("nobody is consuming");
    const deliveryTag = `tag-${++this.tags}`;
    this.onDelivery({
      message: { body: Buffer.from(body, "utf8"), contentType, contentEncoding: "utf-8", headers: {}, properties: { delivery_mode: 1 } },
      queue: this.queues.at(-1)!.name,
      exchange: "celeryev",
      routingKey,
      redelivered: false,
      deliveryTag,
      ack: async () => void this.settlements.push({ deliveryTag, outcome: "ack" }),
      reject: async (requeue) => void this.settlements.push({ deliveryTag, outcome: requeue ? "requeue" : "drop" }),
    });
    return deliveryTag;
  }
}
