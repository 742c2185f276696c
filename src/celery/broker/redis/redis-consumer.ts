// One consumer on kombu's Redis transport: BRPOP over list queues, PSUBSCRIBE for fanout queues; mirrors kombu/transport/redis.py Channel (_brpop_start/_brpop_read, _subscribe/_receive_one).

import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Consumer, ConsumeOptions, Delivery } from "../broker";
import type { RedisAckEmulation, ReservedItem } from "./redis-ack-emulation";
import { decodeRedisEnvelope, type DecodedEnvelope } from "./redis-envelope";
import { BrokerConnectionError } from "../../errors";
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

// Most items one reserve script takes (bounds the script's run time when prefetch is unlimited).
const MAX_BATCH = 256;

// The tag the reserve script recorded an item under (it only tracks envelopes that have one).
function envelopeTag(raw: string): string {
  return String((JSON.parse(raw) as { properties: { delivery_tag: string } }).properties.delivery_tag);
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
  private readonly sourceOfKey = new Map<string, string>();
  private readonly queueOfExchange = new Map<string, string>();
  private readonly prefetch: number;
  private readonly noAck: boolean;
  // When the poll loop last lost Redis, while it is unreachable.
  private lostAt: number | null = null;

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
      // ioredis reconnects and re-subscribes by itself: say when the stream stops and when it is back.
      subscriber.on("error", (error: Error) => this.active && this.unreachable(error));
      subscriber.on("close", () => this.active && this.unreachable(new Error("the connection closed")));
      subscriber.on("ready", () => this.reachable());
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

  // A failing poll is the connection (a list item that does not decode is reported by accept(),
  // never thrown here): said once per outage, then once more when Redis answers again.
  private unreachable(error: Error): void {
    if (this.lostAt !== null) return;
    this.lostAt = Date.now();
    this.report(new BrokerConnectionError(`Lost the connection to Redis while consuming ${this.queues.join(", ")} (${error.message}); retrying every ${this.parts.layout.pollingInterval} s, said once until it is back.`, { cause: error }));
  }

  private reachable(): void {
    if (this.lostAt === null) return;
    const seconds = Math.round((Date.now() - this.lostAt) / 100) / 10;
    this.lostAt = null;
    this.parts.options.onRecovered?.(`Redis answers again after ${seconds} s: consuming ${this.queues.join(", ")} again.`);
  }

  private report(error: Error): void {
    if (this.parts.options.onError) this.parts.options.onError(error);
    else console.error(`Redis consumer of ${this.queues.join(", ")}: ${error.message}`);
  }

  /** How many more items may be taken now: prefetch room, or a bounded batch when unlimited. */
  private room(): number {
    if (this.noAck || this.prefetch === 0) return MAX_BATCH;
    return Math.min(MAX_BATCH, Math.max(0, this.prefetch - this.unacked.size));
  }

  private async poll(): Promise<void> {
    const blocking = this.blocking!;
    const { layout, qos, client } = this.parts;
    while (this.active) {
      const room = this.room();
      if (room === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      try {
        // Keys by priority step first, then queue: `BRPOP q1 q2 q1\x06\x163 q2\x06\x163 … 1`.
        const keys = layout.prioritySteps.flatMap((step) => this.cycle.map((queue) => layout.key(layout.queueList(queue, step))));
        // Whatever is already waiting comes in one round trip, up to the prefetch room; only an
        // empty queue falls through to the blocking BRPOP (which then wakes us on the next message).
        if (!this.noAck) {
          const items = await qos.reserve(keys, room);
          this.reachable();
          if (items.length > 0) {
            if (!this.active) {
              await this.putBack(items);
              break;
            }
            await this.onReserved(items);
            continue;
          }
        }
        this.blockingId ??= Number(await blocking.client("ID"));
        this.polling = true;
        const popped = await blocking.brpop(...keys, layout.pollingInterval);
        this.polling = false;
        this.reachable();
        if (!popped) continue;
        const [key, raw] = popped;
        if (!this.active) {
          // Popped while cancelling: back to the head so nothing is lost.
          await client.rpush(key, raw);
          break;
        }
        this.rotate([this.queueOf(key)]);
        await this.accept(key, raw, false);
      } catch (error) {
        this.polling = false;
        if (!this.active) break;
        this.unreachable(error as Error);
        await sleep(layout.pollingInterval * 1000);
      }
    }
  }

  private queueOf(key: string): string {
    return this.queueOfKey.get(key) ?? key;
  }

  /** round_robin_cycle.rotate: each queue just served goes to the end, in the order served. */
  private rotate(served: Iterable<string>): void {
    for (const queue of new Set(served)) if (this.cycle.length > 1) this.cycle = [...this.cycle.filter((name) => name !== queue), queue];
  }

  private async onReserved(items: ReservedItem[]): Promise<void> {
    this.rotate(items.map((item) => this.queueOf(item.key)));
    for (const item of items) {
      const recording = this.accept(item.key, item.raw, item.tracked);
      if (recording) await recording;
    }
  }

  // Reserved while cancelling: back to the head in their original order, bookkeeping removed,
  // in one MULTI so they are neither lost nor left to come back a second time.
  private async putBack(items: ReservedItem[]): Promise<void> {
    const { client, layout } = this.parts;
    const multi = client.multi();
    for (const item of [...items].reverse()) multi.rpush(item.key, item.raw);
    const tags = items.filter((item) => item.tracked).map((item) => envelopeTag(item.raw));
    if (tags.length > 0) multi.zrem(layout.unackedIndexKey, ...tags).hdel(layout.unackedKey, ...tags);
    await multi.exec();
  }

  private async forget(raw: string): Promise<void> {
    try {
      await this.parts.qos.ack(envelopeTag(raw));
    } catch (error) {
      this.report(error as Error);
    }
  }

  /**
   * Decodes one popped item, records it unless `tracked` already is, and hands it over. Returns a
   * promise only when it has a round trip to make, so a reserved batch is handed over without a
   * turn of the event loop per item.
   */
  private accept(key: string, raw: string, tracked: boolean): Promise<void> | undefined {
    const queue = this.queueOf(key);
    let decoded: DecodedEnvelope;
    try {
      decoded = decodeRedisEnvelope(raw, this.sourceOf(key, queue));
    } catch (error) {
      // Dropped, as before batching: do not leave it in unacked to come back after the timeout.
      this.report(error as Error);
      return tracked ? this.forget(raw) : undefined;
    }
    const tag = decoded.deliveryTag || randomUUID();
    if (this.noAck) {
      this.hand(this.makeDelivery(queue, tag, decoded, false));
      return undefined;
    }
    const deliver = (): void => {
      this.unacked.set(tag, decoded);
      this.hand(this.makeDelivery(queue, tag, decoded, true));
    };
    if (tracked) {
      deliver();
      return undefined;
    }
    return this.parts.qos.append(tag, raw, decoded.exchange, decoded.routingKey).then(deliver);
  }

  // What an undecodable item's error names: built once per list, not per message.
  private sourceOf(key: string, queue: string): string {
    let source = this.sourceOfKey.get(key);
    if (source === undefined) {
      source = `Redis queue "${queue}" (list ${JSON.stringify(key)})`;
      this.sourceOfKey.set(key, source);
    }
    return source;
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
      // Only now may the loop take more: a restored copy carrying the same tag could otherwise be
      // reserved before this ack removes the bookkeeping, and the ack would then erase the copy's.
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
