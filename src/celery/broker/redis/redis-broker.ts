// The Redis broker, byte-compatible with kombu 5.2's Redis transport; mirrors kombu/transport/redis.py (Channel, Transport).

import { randomUUID } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import { BrokerConnectionError, ImproperlyConfigured } from "../../errors";
import type { Message } from "../../protocol/message";
import type { Broker, Consumer, ConsumeOptions, Delivery, ExchangeSpec, ExchangeType, PublishTarget, QueueInfo, QueueSpec } from "../broker";
import { displayUrl } from "../display-url";
import { kombuTopicPattern } from "./kombu-topic-pattern";
import { RedisAckEmulation } from "./redis-ack-emulation";
import { RedisConsumer, type FanoutBinding } from "./redis-consumer";
import { encodeRedisEnvelope } from "./redis-envelope";
import { RedisLayout, type RedisTransportOptions } from "./redis-layout";

/** Transport options plus connection tuning. */
export interface RedisBrokerOptions extends RedisTransportOptions {
  /** Milliseconds to wait for the first connection (default 10 000). */
  connectTimeout?: number;
  /** Extra ioredis options (tls, username, …) merged over those derived from the URL. */
  redis?: RedisOptions;
}

function connectionOptions(url: string): { options: RedisOptions; db: number } {
  const parsed = new URL(url);
  const scheme = parsed.protocol.replace(/:$/, "");
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  const username = parsed.username ? decodeURIComponent(parsed.username) : undefined;
  if (scheme === "redis+socket" || scheme === "unix") {
    // kombu: redis+socket:///path/to/redis.sock?virtual_host=<db>
    const db = Number(parsed.searchParams.get("virtual_host") ?? parsed.searchParams.get("db") ?? 0);
    return { options: { path: decodeURIComponent(parsed.pathname), password, username, db }, db };
  }
  if (scheme !== "redis" && scheme !== "rediss") throw new ImproperlyConfigured(`RedisBroker cannot use a ${scheme}:// URL: use redis://, rediss:// or redis+socket://.`);
  const dbText = parsed.pathname.replace(/^\/+/, "") || "0";
  const db = Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new ImproperlyConfigured(`Redis database "${dbText}" in ${displayUrl(url)} is not a number: write redis://host:6379/<db>.`);
  return {
    options: {
      host: parsed.hostname || "127.0.0.1",
      port: parsed.port ? Number(parsed.port) : 6379,
      password,
      username,
      db,
      ...(scheme === "rediss" ? { tls: {} } : {}),
    },
    db,
  };
}

/**
 * A Celery broker on Redis that a Python Celery/kombu 5.2 peer reads and writes unchanged:
 * envelopes (Python `json.dumps` bytes), priority sub-lists (`q\x06\x163`; lower = more urgent),
 * `_kombu.binding.*` sets, fanout over `PUBLISH /<db>.<exchange>`, and ack emulation with
 * `unacked`/`unacked_index` plus the visibility-timeout restore.
 *
 * Like kombu, exchange types live in this process (an undeclared exchange is direct); only
 * bindings are shared through Redis. While the server is unreachable every operation fails fast
 * with BrokerConnectionError; ioredis keeps reconnecting and consumers resume on their own.
 */
export class RedisBroker implements Broker {
  readonly driverType = "redis" as const;
  readonly displayUrl: string;
  /** Resolved transport options and key names. */
  readonly layout: RedisLayout;
  private readonly client: Redis;
  private readonly qos: RedisAckEmulation;
  private readonly exchangeTypes = new Map<string, ExchangeType>();
  private readonly declared = new Map<string, QueueSpec>();
  private readonly consumers = new Set<RedisConsumer>();
  private readonly connectTimeout: number;
  private restoreTimer: NodeJS.Timeout | null = null;
  private connecting: Promise<void> | null = null;

  constructor(url: string, options: RedisBrokerOptions = {}) {
    this.displayUrl = displayUrl(url);
    const { options: derived, db } = connectionOptions(url);
    this.layout = new RedisLayout(db, options);
    this.connectTimeout = options.connectTimeout ?? 10_000;
    this.client = new Redis({
      ...derived,
      lazyConnect: true,
      // Fail fast while the server is away instead of queueing commands forever.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // Commands issued in the same tick go out in one write: a burst of applyAsync calls then
      // costs one syscall instead of one per task.
      enableAutoPipelining: true,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      ...options.redis,
    });
    // Errors surface through the commands that hit them; without a listener ioredis prints them.
    this.client.on("error", () => undefined);
    this.qos = new RedisAckEmulation(this.client, this.layout, (exchange, routingKey) => this.lookup(exchange, routingKey));
  }

  async connect(): Promise<void> {
    try {
      if (this.client.status === "wait" || this.client.status === "end") {
        this.connecting ??= this.client.connect().finally(() => (this.connecting = null));
        await this.connecting;
      } else if (this.client.status !== "ready") {
        await this.waitReady();
      }
    } catch (error) {
      throw this.connectionError("connect to", error);
    }
  }

  private waitReady(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.client.off("ready", onReady);
        reject(new Error(`not connected within ${this.connectTimeout} ms`));
      }, this.connectTimeout);
      this.client.once("ready", onReady);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.cancel()));
    this.stopRestoreTimer();
    if (this.client.status === "ready") await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }

  declareExchange(exchange: ExchangeSpec): Promise<void> {
    if (exchange.name) this.exchangeTypes.set(exchange.name, exchange.type);
    return Promise.resolve();
  }

  /** kombu queue_declare + queue_bind: MULTI, LLEN of every priority list, EXEC, then SADD the binding. */
  async declareQueue(queue: QueueSpec): Promise<void> {
    const exchange = queue.exchange ?? { name: queue.name, type: "direct" as const };
    await this.declareExchange(exchange);
    this.declared.set(queue.name, queue);
    await this.run("declare a queue on", async () => {
      const multi = this.client.multi();
      for (const key of this.layout.queueKeys(queue.name)) multi.llen(key);
      await multi.exec();
      if (exchange.name) await this.client.sadd(this.layout.bindingKey(exchange.name), this.bindingMember(queue, exchange));
    });
  }

  /** Removes the queue's binding and all its priority lists (kombu `_delete`). */
  async deleteQueue(name: string): Promise<void> {
    const spec = this.declared.get(name);
    this.declared.delete(name);
    await this.run("delete a queue on", async () => {
      const multi = this.client.multi();
      const exchange = spec?.exchange ?? { name, type: "direct" as const };
      if (exchange.name) multi.srem(this.layout.bindingKey(exchange.name), this.bindingMember(spec ?? { name }, exchange));
      multi.del(...this.layout.queueKeys(name));
      await multi.exec();
    });
  }

  async publish(message: Message, target: PublishTarget): Promise<void> {
    const raw = encodeRedisEnvelope(message, target, randomUUID());
    await this.run("publish to", async () => {
      if (target.exchange && this.exchangeTypes.get(target.exchange) === "fanout") {
        await this.client.publish(this.layout.fanoutChannel(target.exchange, target.routingKey), raw);
        return;
      }
      const step = this.layout.priorityStep(message.properties.priority);
      const queues = await this.lookup(target.exchange, target.routingKey);
      if (queues.length === 0) return;
      if (queues.length === 1 && this.maxLengthOf(queues[0]!) === undefined) {
        await this.client.lpush(this.layout.key(this.layout.queueList(queues[0]!, step)), raw);
        return;
      }
      const pipeline = this.client.pipeline();
      for (const queue of queues) {
        const key = this.layout.key(this.layout.queueList(queue, step));
        pipeline.lpush(key, raw);
        // LPUSH adds at the head and consumers pop the tail: keeping the first n drops the oldest.
        const maxLength = this.maxLengthOf(queue);
        if (maxLength !== undefined) pipeline.ltrim(key, 0, maxLength - 1);
      }
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (failed) throw failed[0];
    });
  }

  async consume(queues: QueueSpec[], onDelivery: (delivery: Delivery) => void, options: ConsumeOptions = {}): Promise<Consumer> {
    for (const queue of queues) await this.declareQueue(queue);
    const listQueues: string[] = [];
    const fanout: FanoutBinding[] = [];
    for (const queue of queues) {
      const exchange = queue.exchange?.name ?? queue.name;
      if (exchange && this.exchangeTypes.get(exchange) === "fanout") {
        fanout.push({ queue: queue.name, exchange, routingKey: (queue.routingKey ?? "").replace(/#/g, "*") });
      } else listQueues.push(queue.name);
    }
    const consumer = new RedisConsumer({
      client: this.client,
      layout: this.layout,
      qos: this.qos,
      duplicate: () => this.duplicate(),
      listQueues,
      fanout,
      onDelivery,
      options,
      onClosed: () => {
        this.consumers.delete(consumer);
        if (this.consumers.size === 0) this.stopRestoreTimer();
      },
    });
    this.consumers.add(consumer);
    try {
      await consumer.start();
    } catch (error) {
      await consumer.cancel();
      throw this.connectionError("consume from", error);
    }
    if (!options.noAck && listQueues.length > 0) this.startRestoreTimer(options.onError);
    return consumer;
  }

  /** Sum of every priority list of the queue (kombu `_size`). */
  async queueSize(name: string): Promise<number> {
    return this.run("measure a queue on", async () => {
      const pipeline = this.client.pipeline();
      for (const key of this.layout.queueKeys(name)) pipeline.llen(key);
      const results = (await pipeline.exec()) ?? [];
      return results.reduce((sum, [, size]) => sum + (typeof size === "number" ? size : 0), 0);
    });
  }

  /** Every priority list of every queue in one pipeline; Redis keeps no consumer count (kombu has no registry). */
  async inspectQueues(names: readonly string[]): Promise<QueueInfo[]> {
    if (names.length === 0) return [];
    return this.run("inspect queues on", async () => {
      const pipeline = this.client.pipeline();
      const perQueue = this.layout.prioritySteps.length;
      for (const name of names) for (const key of this.layout.queueKeys(name)) pipeline.llen(key);
      const results = (await pipeline.exec()) ?? [];
      // A pipeline reports a lost connection per command instead of rejecting: that is no depth of 0.
      const failed = results.find(([error]) => error && !/WRONGTYPE/.test(error.message));
      if (failed) throw failed[0];
      // As queueSize: a key that is not a list (WRONGTYPE) holds no messages of ours.
      const sizes = results.map(([, size]) => (typeof size === "number" ? size : 0));
      return names.map((name, index) => ({ name, messages: sizes.slice(index * perQueue, (index + 1) * perQueue).reduce((sum, size) => sum + size, 0) }));
    });
  }

  /** Deletes every priority list of the queue and returns how many messages they held (kombu `_purge`). */
  async purge(name: string): Promise<number> {
    return this.run("purge a queue on", async () => {
      const multi = this.client.multi();
      for (const key of this.layout.queueKeys(name)) multi.llen(key).del(key);
      const results = (await multi.exec()) ?? [];
      return results.reduce((sum, [, value], index) => sum + (index % 2 === 0 && typeof value === "number" ? value : 0), 0);
    });
  }

  /**
   * One visibility-timeout sweep now (normally run every `unackedRestoreInterval` seconds while
   * this broker has acking consumers). Returns how many messages were restored.
   */
  restoreVisible(): Promise<number> {
    return this.run("restore unacked messages on", () => this.qos.restoreVisible());
  }

  private bindingMember(queue: QueueSpec, exchange: ExchangeSpec): string {
    const routingKey = queue.routingKey ?? queue.name;
    const pattern = exchange.type === "topic" ? kombuTopicPattern(routingKey) : "";
    return this.layout.bindingMember(routingKey, pattern, queue.name);
  }

  /** kombu `_lookup`: the default exchange names the queue; others read `_kombu.binding.<exchange>`. */
  /**
   * A kombu Redis queue is a list with no bound; a queue this broker declared with RabbitMQ's
   * `x-max-length` gets RabbitMQ's default overflow (drop-head) from every publish made here, per
   * priority list. Other producers' publishes (kombu's) do not trim it.
   */
  private maxLengthOf(queue: string): number | undefined {
    const bound = this.declared.get(queue)?.arguments?.["x-max-length"];
    return typeof bound === "number" && Number.isInteger(bound) && bound > 0 ? bound : undefined;
  }

  private async lookup(exchange: string, routingKey: string): Promise<string[]> {
    if (!exchange) return [routingKey];
    const members = await this.client.smembers(this.layout.bindingKey(exchange));
    const topic = this.exchangeTypes.get(exchange) === "topic";
    const queues = new Set<string>();
    for (const member of members) {
      const [boundKey = "", pattern = "", queue = ""] = member.split(this.layout.sep);
      if (topic ? new RegExp(pattern).test(routingKey) : boundKey === routingKey) queues.add(queue);
    }
    return [...queues];
  }

  private duplicate(): Redis {
    const connection = this.client.duplicate({ lazyConnect: true });
    connection.on("error", () => undefined);
    return connection;
  }

  private startRestoreTimer(onError: ((error: Error) => void) | undefined): void {
    if (this.restoreTimer) return;
    this.restoreTimer = setInterval(() => {
      this.qos.restoreVisible().catch((error: Error) => (onError ?? console.error)(error));
    }, this.layout.unackedRestoreInterval * 1000);
    this.restoreTimer.unref();
  }

  private stopRestoreTimer(): void {
    if (this.restoreTimer) clearInterval(this.restoreTimer);
    this.restoreTimer = null;
  }

  private async run<T>(what: string, operation: () => Promise<T>): Promise<T> {
    if (this.client.status === "wait") await this.connect();
    try {
      return await operation();
    } catch (error) {
      throw this.connectionError(what, error);
    }
  }

  private connectionError(what: string, error: unknown): BrokerConnectionError {
    const reason = error instanceof Error ? error.message : String(error);
    return new BrokerConnectionError(
      `Could not ${what} the Redis broker at ${this.displayUrl} (${reason}): check that Redis is running and reachable; ioredis keeps reconnecting in the background.`,
      { cause: error },
    );
  }
}
