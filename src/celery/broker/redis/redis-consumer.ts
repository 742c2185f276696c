// One consumer on kombu's Redis transport: BRPOP over list queues, PSUBSCRIBE for fanout queues; mirrors kombu/transport/redis.py Channel (_brpop_start/_brpop_read, _subscribe/_receive_one).

import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Consumer, ConsumeOptions, Delivery } from "../broker";
import type { RedisAckEmulation } from "./redis-ack-emulation";
import { decodeRedisEnvelope, type DecodedEnvelope } from "./redis-envelope";
import type { RedisLayout } from "./redis-layout";

/** A queue served by pub/sub: the fanout exchange and the binding key (`#` already turned into `*`). */
export interface FanoutBinding {
  queue: string;
  exchange: string;
  routingKey: string;
}

export interface RedisConsumerParts {
  client: Redis;
  layout: RedisLayout;
  qos: RedisAckEmulation;
  /** A fresh connection like the main one (BRPOP and PSUBSCRIBE block theirs). */
  duplicate: () => Redis;
  listQueues: string[];
  fanout: FanoutBinding[];
  onDelivery: (delivery: Delivery) => void;
  options: ConsumeOptions;
  onClosed: () => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Each consumer owns its blocking connections, so its prefetch limit and unacked set are its own
 * (kombu: one channel). Cancelling wakes a pending BRPOP with `CLIENT UNBLOCK` instead of waiting
 * out the poll timeout, and pushes back anything popped after cancellation.
 */
export class RedisConsumer implements Consumer {
  readonly queues: readonly string[];
  private readonly unacked = new Map<string, DecodedEnvelope>();
  private active = true;
  private cycle: string[];
  private blocking: Redis | null = null;
  private blockingId: number | null = null;
  private subscriber: Redis | null = null;
  private polling = false;
  private loop: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  private readonly queueOfKey = new Map<string, string>();
  private readonly queueOfExchange = new Map<string, string>();
  private readonly prefetch: number;
  private readonly noAck: boolean;

  constructor(private readonly parts: RedisConsumerParts) {
    this.queues = [...parts.listQueues, ...parts.fanout.map((binding) => binding.queue)];
    this.cycle = [...parts.listQueues];
    this.prefetch = parts.options.prefetch ?? 0;
    this.noAck = parts.options.noAck ?? false;
    for (const queue of parts.listQueues) for (const key of parts.layout.queueKeys(queue)) this.queueOfKey.set(key, queue);
    for (const binding of parts.fanout) this.queueOfExchange.set(binding.exchange, binding.queue);
  }

  /** Connects, subscribes (resolving once PSUBSCRIBE is confirmed) and starts polling. */
  async start(): Promise<void> {
    const { layout, fanout } = this.parts;
    if (fanout.length > 0) {
      const subscriber = this.parts.duplicate();
      this.subscriber = subscriber;
      subscriber.on("pmessage", (_pattern: string, channel: string, data: string) => this.onPublished(channel, data));
      await subscriber.connect();
      await subscriber.psubscribe(...fanout.map((binding) => layout.fanoutChannel(binding.exchange, binding.routingKey)));
    }
    if (this.cycle.length > 0) {
      this.blocking = this.parts.duplicate();
      this.blocking.on("close", () => {
        this.blockingId = null;
      });
      await this.blocking.connect();
      this.loop = this.poll();
    }
  }

  async cancel(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.wake?.();
    if (this.polling && this.blockingId !== null) {
      await this.parts.client.client("UNBLOCK", this.blockingId).catch(() => undefined);
    }
    await this.loop;
    // kombu restores a closing channel's unacked messages (RPUSH: they are consumed next).
    const tags = [...this.unacked.keys()];
    this.unacked.clear();
    for (const tag of tags) await this.parts.qos.restoreByTag(tag).catch((error: Error) => this.report(error));
    this.blocking?.disconnect();
    this.subscriber?.disconnect();
    this.parts.onClosed();
  }

  private report(error: Error): void {
    if (this.parts.options.onError) this.parts.options.onError(error);
    else console.error(`Redis consumer of ${this.queues.join(", ")}: ${error.message}`);
  }

  private async poll(): Promise<void> {
    const blocking = this.blocking!;
    while (this.active) {
      if (!this.noAck && this.prefetch > 0 && this.unacked.size >= this.prefetch) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      try {
        this.blockingId ??= Number(await blocking.client("ID"));
        // Keys by priority step first, then queue: `BRPOP q1 q2 q1\x06\x163 q2\x06\x163 … 1`.
        const keys = this.parts.layout.prioritySteps.flatMap((step) => this.cycle.map((queue) => this.parts.layout.key(this.parts.layout.queueList(queue, step))));
        this.polling = true;
        const popped = await blocking.brpop(...keys, this.parts.layout.pollingInterval);
        this.polling = false;
        if (!popped) continue;
        const [key, raw] = popped;
        if (!this.active) {
          // Popped while cancelling: back to the head so nothing is lost.
          await this.parts.client.rpush(key, raw);
          break;
        }
        await this.onPopped(key, raw);
      } catch (error) {
        this.polling = false;
        if (!this.active) break;
        this.report(error as Error);
        await sleep(this.parts.layout.pollingInterval * 1000);
      }
    }
  }

  private async onPopped(key: string, raw: string): Promise<void> {
    const queue = this.queueOfKey.get(key) ?? key;
    // round_robin_cycle.rotate: the queue just served goes to the end.
    this.cycle = [...this.cycle.filter((name) => name !== queue), queue];
    let decoded: DecodedEnvelope;
    try {
      decoded = decodeRedisEnvelope(raw, `Redis queue "${queue}" (list ${JSON.stringify(key)})`);
    } catch (error) {
      this.report(error as Error);
      return;
    }
    const tag = decoded.deliveryTag || randomUUID();
    if (!this.noAck) {
      await this.parts.qos.append(tag, raw, decoded.exchange, decoded.routingKey);
      this.unacked.set(tag, decoded);
    }
    this.hand(this.makeDelivery(queue, tag, decoded, !this.noAck));
  }

  private onPublished(channel: string, data: string): void {
    if (!this.active || !data) return;
    const exchange = this.parts.layout.exchangeOfChannel(channel);
    const queue = this.queueOfExchange.get(exchange);
    if (queue === undefined) return;
    try {
      const decoded = decodeRedisEnvelope(data, `Redis channel "${channel}" (queue "${queue}")`);
      // Pub/sub is at-most-once: nothing to ack or restore.
      this.hand(this.makeDelivery(queue, decoded.deliveryTag || randomUUID(), decoded, false));
    } catch (error) {
      this.report(error as Error);
    }
  }

  private hand(delivery: Delivery): void {
    try {
      this.parts.onDelivery(delivery);
    } catch (error) {
      this.report(error as Error);
    }
  }

  private makeDelivery(queue: string, tag: string, decoded: DecodedEnvelope, tracked: boolean): Delivery {
    const settle = async (requeue: boolean): Promise<void> => {
      if (!tracked || !this.unacked.delete(tag)) return;
      // kombu reject(requeue): restore leftmost (LPUSH, back of the queue), then ack.
      if (requeue) await this.parts.qos.restoreByTag(tag, true);
      await this.parts.qos.ack(tag);
      this.wake?.();
    };
    return {
      message: decoded.message,
      queue,
      exchange: decoded.exchange,
      routingKey: decoded.routingKey,
      redelivered: decoded.redelivered,
      deliveryTag: tag,
      ack: () => settle(false),
      reject: (requeue) => settle(requeue),
    };
  }
}
