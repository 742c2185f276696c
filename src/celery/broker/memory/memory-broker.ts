// The in-process broker (`memory://`), Celeriac's embedded default; mirrors kombu/transport/memory.py with AMQP routing semantics.

import { BrokerConnectionError } from "../../errors";
import type { Message } from "../../protocol/message";
import type { Broker, Consumer, ConsumeOptions, Delivery, ExchangeSpec, ExchangeType, PublishTarget, QueueInfo, QueueSpec } from "../broker";
import { topicMatches } from "./topic-matches";

interface Entry {
  message: Message;
  exchange: string;
  routingKey: string;
  priority: number;
  redelivered: boolean;
}

interface Binding {
  queue: string;
  routingKey: string;
}

interface MemoryQueue {
  name: string;
  autoDelete: boolean;
  entries: Entry[];
}

interface Subscription {
  queues: string[];
  onDelivery: (delivery: Delivery) => void;
  onError: (error: Error) => void;
  prefetch: number;
  noAck: boolean;
  unacked: Map<string, { entry: Entry; queue: string }>;
  cursor: number;
  active: boolean;
}

const MAX_PRIORITY = 255;

function copyMessage(message: Message): Message {
  return {
    body: Buffer.from(message.body),
    contentType: message.contentType,
    contentEncoding: message.contentEncoding,
    headers: structuredClone(message.headers),
    properties: structuredClone(message.properties),
  };
}

/** Queues, exchanges and consumers shared by every MemoryBroker opened on the same URL. */
class MemoryState {
  readonly queues = new Map<string, MemoryQueue>();
  readonly exchanges = new Map<string, { type: ExchangeType; bindings: Binding[] }>();
  readonly subscriptions = new Set<Subscription>();
  private nextTag = 1;
  private pumpScheduled = false;

  ensureQueue(name: string, autoDelete = false): MemoryQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = { name, autoDelete, entries: [] };
      this.queues.set(name, queue);
    }
    return queue;
  }

  ensureExchange(name: string, type: ExchangeType): { type: ExchangeType; bindings: Binding[] } {
    let exchange = this.exchanges.get(name);
    if (!exchange) {
      exchange = { type, bindings: [] };
      this.exchanges.set(name, exchange);
    }
    return exchange;
  }

  route(exchangeName: string, routingKey: string): string[] {
    // Like Redis (and unlike AMQP) the default exchange creates the queue it names, so a message
    // published before any worker declared its queue is kept rather than lost.
    if (exchangeName === "") return [this.ensureQueue(routingKey).name];
    const exchange = this.exchanges.get(exchangeName);
    if (!exchange) return [];
    const matches = exchange.bindings.filter((binding) => {
      if (exchange.type === "fanout") return true;
      if (exchange.type === "topic") return topicMatches(binding.routingKey, routingKey);
      return binding.routingKey === routingKey;
    });
    return [...new Set(matches.map((binding) => binding.queue))];
  }

  /** Higher priority first, FIFO within a priority (AMQP x-max-priority semantics). */
  enqueue(queueName: string, entry: Entry, atHead: boolean): void {
    const entries = this.ensureQueue(queueName).entries;
    const index = atHead ? entries.findIndex((other) => other.priority <= entry.priority) : entries.findIndex((other) => other.priority < entry.priority);
    entries.splice(index === -1 ? entries.length : index, 0, entry);
    this.schedulePump();
  }

  newTag(): string {
    return String(this.nextTag++);
  }

  schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  // Hands waiting messages to consumers, one message per consumer per round so that consumers of
  // the same queue share it fairly and each consumer rotates over its queues (kombu round_robin).
  private pump(): void {
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const subscription of this.subscriptions) {
        if (!subscription.active) continue;
        if (!subscription.noAck && subscription.prefetch > 0 && subscription.unacked.size >= subscription.prefetch) continue;
        if (this.deliverOne(subscription)) progressed = true;
      }
    }
  }

  private deliverOne(subscription: Subscription): boolean {
    const count = subscription.queues.length;
    for (let offset = 0; offset < count; offset++) {
      const queueName = subscription.queues[(subscription.cursor + offset) % count]!;
      const entry = this.queues.get(queueName)?.entries.shift();
      if (!entry) continue;
      subscription.cursor = (subscription.cursor + offset + 1) % count;
      try {
        subscription.onDelivery(this.makeDelivery(subscription, queueName, entry));
      } catch (error) {
        subscription.onError(error instanceof Error ? error : new Error(String(error)));
      }
      return true;
    }
    return false;
  }

  private makeDelivery(subscription: Subscription, queueName: string, entry: Entry): Delivery {
    const deliveryTag = this.newTag();
    if (!subscription.noAck) subscription.unacked.set(deliveryTag, { entry, queue: queueName });
    const settle = (requeue: boolean): Promise<void> => {
      const held = subscription.unacked.get(deliveryTag);
      if (!held) return Promise.resolve();
      subscription.unacked.delete(deliveryTag);
      if (requeue) this.enqueue(held.queue, { ...held.entry, redelivered: true }, true);
      this.schedulePump();
      return Promise.resolve();
    };
    return {
      message: copyMessage(entry.message),
      queue: queueName,
      exchange: entry.exchange,
      routingKey: entry.routingKey,
      redelivered: entry.redelivered,
      deliveryTag,
      ack: () => settle(false),
      reject: (requeue) => settle(requeue),
    };
  }

  cancel(subscription: Subscription): void {
    if (!subscription.active) return;
    subscription.active = false;
    this.subscriptions.delete(subscription);
    // Unacked messages go back to the head of their queue, as AMQP does when a channel closes.
    for (const { entry, queue } of [...subscription.unacked.values()].reverse()) {
      this.enqueue(queue, { ...entry, redelivered: true }, true);
    }
    subscription.unacked.clear();
    for (const name of subscription.queues) {
      const queue = this.queues.get(name);
      const stillConsumed = [...this.subscriptions].some((other) => other.queues.includes(name));
      if (queue?.autoDelete && !stillConsumed) this.deleteQueue(name);
    }
  }

  deleteQueue(name: string): void {
    this.queues.delete(name);
    for (const exchange of this.exchanges.values()) {
      exchange.bindings = exchange.bindings.filter((binding) => binding.queue !== name);
    }
  }
}

const states = new Map<string, MemoryState>();

/**
 * A broker that lives in this process: direct, topic and fanout exchanges, priorities, acks,
 * reject/requeue, prefetch and redelivery of unacked messages on cancel. Every instance opened
 * on the same URL (`memory://`, or `memory://<name>` for a separate world) shares queues, so a
 * producer and a worker in one process talk through it like through a server.
 *
 * Semantics are AMQP's: a higher priority is more urgent (0..255, FIFO within a priority),
 * `*` matches one word and `#` zero or more, fanout queues keep messages until consumed, and
 * requeued/restored messages go back to the head of their queue. Exceptions: publishing to the
 * default exchange creates the named queue (as Redis does); queue arguments such as `x-expires`
 * and `x-message-ttl` and the `expiration` property are ignored.
 */
export class MemoryBroker implements Broker {
  readonly driverType = "memory" as const;
  readonly displayUrl: string;
  private readonly state: MemoryState;
  private readonly own = new Set<Subscription>();
  private closed = false;

  constructor(url = "memory://") {
    this.displayUrl = url;
    const world = url.replace(/^memory:\/\//, "").replace(/\/+$/, "");
    let state = states.get(world);
    if (!state) {
      state = new MemoryState();
      states.set(world, state);
    }
    this.state = state;
  }

  connect(): Promise<void> {
    this.closed = false;
    return Promise.resolve();
  }

  close(): Promise<void> {
    for (const subscription of this.own) this.state.cancel(subscription);
    this.own.clear();
    this.closed = true;
    return Promise.resolve();
  }

  async declareExchange(exchange: ExchangeSpec): Promise<void> {
    this.ensureOpen();
    this.state.ensureExchange(exchange.name, exchange.type);
  }

  async declareQueue(queue: QueueSpec): Promise<void> {
    this.ensureOpen();
    this.state.ensureQueue(queue.name, queue.autoDelete ?? false);
    const exchangeSpec = queue.exchange ?? { name: queue.name, type: "direct" };
    if (exchangeSpec.name !== "") {
      const exchange = this.state.ensureExchange(exchangeSpec.name, exchangeSpec.type);
      const routingKey = queue.routingKey ?? queue.name;
      if (!exchange.bindings.some((binding) => binding.queue === queue.name && binding.routingKey === routingKey)) {
        exchange.bindings.push({ queue: queue.name, routingKey });
      }
    }
  }

  async deleteQueue(name: string): Promise<void> {
    this.ensureOpen();
    this.state.deleteQueue(name);
  }

  async publish(message: Message, target: PublishTarget): Promise<void> {
    this.ensureOpen();
    const priority = Math.max(0, Math.min(MAX_PRIORITY, Math.trunc(Number(message.properties.priority ?? 0)) || 0));
    for (const queue of this.state.route(target.exchange, target.routingKey)) {
      this.state.enqueue(queue, { message: copyMessage(message), exchange: target.exchange, routingKey: target.routingKey, priority, redelivered: false }, false);
    }
  }

  async consume(queues: QueueSpec[], onDelivery: (delivery: Delivery) => void, options: ConsumeOptions = {}): Promise<Consumer> {
    for (const queue of queues) await this.declareQueue(queue);
    const subscription: Subscription = {
      queues: queues.map((queue) => queue.name),
      onDelivery,
      onError: options.onError ?? ((error) => console.error(`memory broker: a delivery handler for ${queues.map((q) => q.name).join(", ")} threw:`, error)),
      prefetch: options.prefetch ?? 0,
      noAck: options.noAck ?? false,
      unacked: new Map(),
      cursor: 0,
      active: true,
    };
    this.state.subscriptions.add(subscription);
    this.own.add(subscription);
    this.state.schedulePump();
    return {
      queues: subscription.queues,
      cancel: () => {
        this.own.delete(subscription);
        this.state.cancel(subscription);
        return Promise.resolve();
      },
    };
  }

  async queueSize(name: string): Promise<number> {
    this.ensureOpen();
    return this.state.queues.get(name)?.entries.length ?? 0;
  }

  async inspectQueues(names: readonly string[]): Promise<QueueInfo[]> {
    this.ensureOpen();
    const active = [...this.state.subscriptions].filter((subscription) => subscription.active);
    return names.map((name) => ({
      name,
      messages: this.state.queues.get(name)?.entries.length ?? 0,
      consumers: active.filter((subscription) => subscription.queues.includes(name)).length,
    }));
  }

  async purge(name: string): Promise<number> {
    this.ensureOpen();
    const queue = this.state.queues.get(name);
    const count = queue?.entries.length ?? 0;
    if (queue) queue.entries = [];
    return count;
  }

  private ensureOpen(): void {
    if (this.closed) throw new BrokerConnectionError(`The broker ${this.displayUrl} is closed: call connect() again before using it.`);
  }
}
