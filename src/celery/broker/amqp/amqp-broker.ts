// The RabbitMQ transport over amqplib; mirrors kombu/transport/pyamqp.py with kombu's entity.py (Exchange, Queue) and messaging.py (Producer, Consumer).

import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from "amqplib";
import type { ConnectionOptions } from "node:tls";
import { once } from "node:events";
import { BrokerConnectionError, CeleryError } from "../../errors";
import type { Message } from "../../protocol/message";
import type { Broker, ConsumeOptions, Consumer, Delivery, ExchangeSpec, PublishTarget, QueueInfo, QueueSpec } from "../broker";
import { amqpMessageCodec } from "./amqp-message-codec";
import { type AmqpUrl, parseAmqpUrl } from "./amqp-url";
import { toFieldTable } from "./to-field-table";

/** How long-running consumers get back after the connection drops (exponential backoff). */
export interface AmqpReconnectOptions {
  /** First delay; default 1000 ms. */
  initialDelayMs?: number;
  /** Cap on the doubling delay; default 30000 ms. */
  maxDelayMs?: number;
  /** Attempts before giving up (Celery's `broker_connection_max_retries`); default 100. */
  maxRetries?: number;
}

export interface AmqpBrokerOptions {
  /** Heartbeat in seconds (overrides `?heartbeat=`); 0 disables; unset lets RabbitMQ decide. */
  heartbeat?: number;
  /** TCP/TLS connect timeout; default 4000 ms (Celery's `broker_connection_timeout`). */
  connectTimeoutMs?: number;
  /** TLS settings for amqps:// (CA, client certificate…). */
  tls?: ConnectionOptions;
  /** Reconnect consumers after a connection loss (default on); `false` reports the loss and stops. */
  reconnect?: AmqpReconnectOptions | false;
  /**
   * Hears what cannot be thrown to a caller: a lost connection, a failed reconnect, a consumer
   * cancelled by RabbitMQ, an exception from a delivery handler. Without it these become
   * process warnings (`process.emitWarning`), never crashes.
   */
  onError?: (error: CeleryError) => void;
  /**
   * Wait for RabbitMQ's publisher confirm before `publish` resolves (default true). Off matches
   * kombu's default (`confirm_publish: False`): faster, but a message lost in a broker crash goes
   * unnoticed. Persistent messages to durable queues are confirmed only after RabbitMQ syncs them
   * to disk, which is what bounds the confirmed publish rate.
   */
  confirmPublish?: boolean;
}

// RabbitMQ's channel-level "soft" errors: the request was refused, the connection is fine.
const SOFT_ERROR_CODES = new Set([403, 404, 405, 406]);
const NOT_FOUND = 404;

function reasonOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function codeOf(cause: unknown): unknown {
  return typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined;
}

/** One lazily opened channel shared by many calls, reopened after RabbitMQ closes it. */
class SharedChannel<T extends Channel> {
  private current: Promise<T> | null = null;
  /** Why RabbitMQ closed the channel: amqplib only tells pending publishes "channel closed". */
  lastError: Error | null = null;

  constructor(private readonly open: () => Promise<T>) {}

  get(): Promise<T> {
    if (this.current) return this.current;
    const opening = this.open().then((channel) => {
      channel.on("error", (error: Error) => {
        this.lastError = error;
      });
      channel.on("close", () => {
        if (this.current === opening) this.current = null;
      });
      return channel;
    });
    opening.catch(() => {
      if (this.current === opening) this.current = null;
    });
    this.current = opening;
    return opening;
  }

  async close(): Promise<void> {
    const current = this.current;
    this.current = null;
    if (current) await current.then((channel) => channel.close()).catch(() => undefined);
  }
}

class AmqpConsumer implements Consumer {
  readonly queues: readonly string[];
  private channel: Channel | null = null;
  private cancelled = false;

  constructor(
    private readonly broker: AmqpBroker,
    private readonly specs: QueueSpec[],
    private readonly onDelivery: (delivery: Delivery) => void,
    private readonly options: ConsumeOptions,
    private readonly report: (error: CeleryError) => void,
    /** Called when the channel dies under a live consumer, so the broker can re-subscribe it. */
    private readonly lost: () => void,
  ) {
    this.queues = specs.map((spec) => spec.name);
  }

  get subscribed(): boolean {
    return this.channel !== null || this.cancelled;
  }

  /** Whether its owner hears about connection loss itself (else the broker's onError does). */
  get listening(): boolean {
    return this.options.onError !== undefined;
  }

  /** The connection it depends on is gone: told once; `recovered` follows on re-subscribe. */
  connectionLost(error: BrokerConnectionError): void {
    if (!this.cancelled) this.report(error);
  }

  recovered(message: string): void {
    if (!this.cancelled) this.options.onRecovered?.(message);
  }

  /** Opens a channel, declares the queues on it and starts basic.consume on each. */
  async subscribe(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    // A refusal while declaring (406 on inequivalent arguments, 404…) reaches the caller as the
    // rejected subscribe; only a failure after set-up has nobody else to hear it.
    let subscribed = false;
    channel.on("error", (error: Error) => {
      if (subscribed && this.channel === channel) this.report(new BrokerConnectionError(`The consumer channel of ${this.queues.join(", ")} failed: ${error.message}`, { cause: error }));
    });
    channel.on("close", () => {
      if (this.channel !== channel) return;
      this.channel = null;
      this.lost();
    });
    // Deliveries can arrive before basic.consume-ok resolves: the channel must be current by then.
    this.channel = channel;
    try {
      for (const spec of this.specs) await declareQueueOn(channel, spec);
      const noAck = this.options.noAck ?? false;
      // Celery asks for global QoS on RabbitMQ: one limit shared by every queue of the consumer.
      if (!noAck && this.options.prefetch) await channel.prefetch(this.options.prefetch, true);
      for (const queue of this.queues) {
        await channel.consume(queue, (delivered) => this.deliver(channel, queue, delivered), { noAck });
      }
      subscribed = true;
    } catch (error) {
      this.channel = null;
      await channel.close().catch(() => undefined);
      throw error;
    }
  }

  private deliver(channel: Channel, queue: string, delivered: ConsumeMessage | null): void {
    if (delivered === null) {
      this.report(new BrokerConnectionError(`RabbitMQ cancelled the consumer of queue ${queue} (queue deleted or node failover): no more deliveries will come from it.`));
      return;
    }
    const noAck = this.options.noAck ?? false;
    const tag = String(delivered.fields.deliveryTag);
    let settled = false;
    const settle = (action: "ack" | "reject", run: () => void): Promise<void> => {
      // kombu ignores acks for no_ack consumers: nothing is tracked.
      if (noAck) return Promise.resolve();
      if (settled) return Promise.reject(new CeleryError("OPERATIONAL_ERROR", `Delivery ${tag} from ${queue} was already acknowledged or rejected: settle each delivery once.`));
      // A delivery tag belongs to its channel: once that is gone RabbitMQ has requeued the message.
      if (this.channel !== channel) {
        return Promise.reject(
          new BrokerConnectionError(`Cannot ${action} delivery ${tag} from ${queue}: its channel is closed (connection lost or consumer cancelled), so RabbitMQ redelivers it with redelivered=true.`),
        );
      }
      settled = true;
      run();
      return Promise.resolve();
    };
    const delivery: Delivery = {
      message: amqpMessageCodec.toMessage(delivered),
      queue,
      exchange: delivered.fields.exchange,
      routingKey: delivered.fields.routingKey,
      redelivered: delivered.fields.redelivered,
      deliveryTag: tag,
      ack: () => settle("ack", () => channel.ack(delivered)),
      reject: (requeue) => settle("reject", () => channel.reject(delivered, requeue)),
    };
    const handlerFailed = (error: unknown) =>
      this.report(new CeleryError("OPERATIONAL_ERROR", `The delivery handler for queue ${queue} threw: ${reasonOf(error)}. The delivery stays unsettled until the consumer is cancelled.`, { cause: error }));
    try {
      const result: unknown = this.onDelivery(delivery);
      if (result instanceof Promise) result.catch(handlerFailed);
    } catch (error) {
      handlerFailed(error);
    }
  }

  async cancel(): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    this.broker.forget(this);
    const channel = this.channel;
    this.channel = null;
    // Closing the channel is what hands unacked deliveries back to their queues. If the
    // connection is already gone RabbitMQ has done that itself, so a failure here changes nothing.
    if (channel) await channel.close().catch(() => undefined);
  }
}

async function declareExchangeOn(channel: Channel, exchange: ExchangeSpec): Promise<void> {
  await channel.assertExchange(exchange.name, exchange.type, { durable: exchange.durable ?? true, autoDelete: exchange.autoDelete ?? false });
}

// kombu's Queue.declare: exchange, queue, then binding; the default exchange "" needs neither.
async function declareQueueOn(channel: Channel, spec: QueueSpec): Promise<void> {
  const exchange = spec.exchange ?? { name: spec.name, type: "direct" };
  if (exchange.name !== "") await declareExchangeOn(channel, exchange);
  await channel.assertQueue(spec.name, {
    durable: spec.durable ?? true,
    autoDelete: spec.autoDelete ?? false,
    exclusive: spec.exclusive ?? false,
    arguments: spec.arguments ? toFieldTable(spec.arguments, `arguments of queue ${spec.name}`) : undefined,
  });
  if (exchange.name !== "") await channel.bindQueue(spec.name, exchange.name, spec.routingKey ?? spec.name);
}

/**
 * RabbitMQ broker (kombu's `amqp://` / `pyamqp://` transport).
 *
 * Connects lazily on first use. Publishes go through a confirm channel and resolve once RabbitMQ
 * confirms them; each consumer has its own channel, so cancelling one requeues exactly its
 * unacked deliveries. After a connection loss, pending publishes and admin calls reject with
 * BrokerConnectionError, the next call reconnects, and live consumers are re-subscribed with
 * exponential backoff (see {@link AmqpBrokerOptions.reconnect}); every loss is reported to
 * `onError`.
 */
export class AmqpBroker implements Broker {
  readonly driverType = "amqp" as const;
  readonly displayUrl: string;
  private readonly target: AmqpUrl;
  private readonly options: AmqpBrokerOptions;
  private model: ChannelModel | null = null;
  private connecting: Promise<ChannelModel> | null = null;
  private closed = false;
  private readonly consumers = new Set<AmqpConsumer>();
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAttempt = 0;
  // When the connection was lost, for the recovery message.
  private lostAt: number | null = null;
  private readonly publisher = new SharedChannel<Channel>(async () => {
    const model = await this.connection();
    return this.options.confirmPublish === false ? model.createChannel() : model.createConfirmChannel();
  });
  private readonly admin = new SharedChannel<Channel>(async () => (await this.connection()).createChannel());

  /**
   * @param url `amqp://user:pass@host:port/vhost` (also `amqps://`, `pyamqp://`); the default
   *   vhost is written `//` or left out, as in kombu.
   */
  constructor(url: string, options: AmqpBrokerOptions = {}) {
    this.target = parseAmqpUrl(url);
    this.displayUrl = this.target.displayUrl;
    this.options = options;
  }

  async connect(): Promise<void> {
    this.closed = false;
    await this.connection();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    await Promise.all([...this.consumers].map((consumer) => consumer.cancel()));
    await Promise.all([this.publisher.close(), this.admin.close()]);
    const model = this.model ?? (await this.connecting?.catch(() => null)) ?? null;
    this.model = null;
    if (model) await model.close().catch(() => undefined);
  }

  async declareExchange(exchange: ExchangeSpec): Promise<void> {
    await this.withAdmin(`Declaring exchange ${exchange.name}`, (channel) => declareExchangeOn(channel, exchange));
  }

  async declareQueue(queue: QueueSpec): Promise<void> {
    await this.withAdmin(`Declaring queue ${queue.name}`, (channel) => declareQueueOn(channel, queue));
  }

  async deleteQueue(name: string): Promise<void> {
    await this.withAdmin(`Deleting queue ${name}`, (channel) => channel.deleteQueue(name));
  }

  /** Deletes an exchange (tests and tooling; Celery never deletes its exchanges). */
  async deleteExchange(name: string): Promise<void> {
    await this.withAdmin(`Deleting exchange ${name}`, (channel) => channel.deleteExchange(name));
  }

  async publish(message: Message, target: PublishTarget): Promise<void> {
    const options = amqpMessageCodec.toPublishOptions(message);
    const what = `Publishing to exchange "${target.exchange}" with routing key "${target.routingKey}"`;
    const channel = await this.publisher.get().catch((error: unknown) => {
      throw this.failure(what, error);
    });
    if (this.options.confirmPublish === false) {
      try {
        // publish() returns false when the socket buffer is full: wait for it to drain, as kombu blocks.
        if (!channel.publish(target.exchange, target.routingKey, message.body, options)) await this.drained(channel);
      } catch (error) {
        throw this.failure(what, error);
      }
      return;
    }
    const confirmChannel = channel as ConfirmChannel;
    await new Promise<void>((resolve, reject) => {
      const confirmed = (error: unknown) => {
        if (!error) resolve();
        // amqplib distinguishes a basic.nack from a closed channel only by this message.
        else if (reasonOf(error) === "message nacked") reject(new BrokerConnectionError(`${what}: RabbitMQ nacked the message (it was not stored); publish it again.`, { cause: error }));
        else reject(new BrokerConnectionError(`${what}: the channel closed before RabbitMQ confirmed the message (${reasonOf(this.publisher.lastError ?? error)}); it may not have been stored.`, { cause: error }));
      };
      try {
        confirmChannel.publish(target.exchange, target.routingKey, message.body, options, confirmed);
      } catch (error) {
        reject(this.failure(what, error));
      }
    });
  }

  private drain: Promise<void> | null = null;

  /** One shared wait for the publisher channel's `drain`, however many publishes hit the full buffer. */
  private drained(channel: Channel): Promise<void> {
    this.drain ??= once(channel, "drain").then(
      () => void (this.drain = null),
      () => void (this.drain = null),
    );
    return this.drain;
  }

  async consume(queues: QueueSpec[], onDelivery: (delivery: Delivery) => void, options: ConsumeOptions = {}): Promise<Consumer> {
    const report = (error: CeleryError) => (options.onError ? options.onError(error) : this.report(error));
    const consumer = new AmqpConsumer(this, queues, onDelivery, options, report, () => this.recoverConsumers());
    try {
      await consumer.subscribe(await this.connection());
    } catch (error) {
      throw this.failure(`Consuming from ${queues.map((queue) => queue.name).join(", ")}`, error);
    }
    this.consumers.add(consumer);
    return consumer;
  }

  /** Messages ready in the queue (basic `checkQueue` message count); 0 when it does not exist. */
  async queueSize(name: string): Promise<number> {
    return this.withScratch(`Checking queue ${name}`, async (channel) => (await channel.checkQueue(name)).messageCount, 0);
  }

  /** Passive declares, one per queue (AMQP has no batch form); a missing queue reads as empty and stays missing. */
  async inspectQueues(names: readonly string[]): Promise<QueueInfo[]> {
    const infos: QueueInfo[] = [];
    for (const name of names) {
      const missing = { queue: name, messageCount: 0, consumerCount: 0 };
      const reply = await this.withScratch(`Checking queue ${name}`, (channel) => channel.checkQueue(name), missing);
      infos.push({ name, messages: reply.messageCount, consumers: reply.consumerCount });
    }
    return infos;
  }

  /** Drops the ready messages of the queue (unacked deliveries stay); 0 when it does not exist. */
  async purge(name: string): Promise<number> {
    return this.withScratch(`Purging queue ${name}`, async (channel) => (await channel.purgeQueue(name)).messageCount, 0);
  }

  /** @internal Called by a consumer that was cancelled. */
  forget(consumer: AmqpConsumer): void {
    this.consumers.delete(consumer);
  }

  private async connection(): Promise<ChannelModel> {
    if (this.closed) throw new BrokerConnectionError(`The broker for ${this.displayUrl} was closed: call connect() to use it again.`);
    if (this.model) return this.model;
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<ChannelModel> {
    const { protocol, hostname, port, username, password, vhost } = this.target;
    const heartbeat = this.options.heartbeat ?? this.target.heartbeat;
    let model: ChannelModel;
    try {
      model = await connect(
        { protocol, hostname, port, username, password, vhost, ...(heartbeat === undefined ? {} : { heartbeat: Math.round(heartbeat) }) },
        { ...this.options.tls, timeout: this.options.connectTimeoutMs ?? 4000, clientProperties: { product: "celeriac" } },
      );
    } catch (error) {
      throw new BrokerConnectionError(`Cannot connect to RabbitMQ at ${this.displayUrl}: ${reasonOf(error)}. Check that it is running and that the URL's credentials and vhost are right.`, {
        cause: error,
      });
    }
    // Without an 'error' listener an EventEmitter error would crash the process; the 'close' that
    // always follows carries the same error.
    model.on("error", () => undefined);
    model.on("close", (error?: Error) => this.lostConnection(model, error));
    this.model = model;
    return model;
  }

  private lostConnection(model: ChannelModel, error: Error | undefined): void {
    if (this.model !== model) return;
    this.model = null;
    if (this.closed) return;
    const reason = error ? error.message : "closed by the server";
    // amqplib cannot decode every field type py-amqp writes (ints beyond 32 bits travel as `L`):
    // such a header kills the whole connection, and the message comes back on reconnect.
    const hint = /Unexpected type tag/.test(reason)
      ? " A delivered message has a header type amqplib cannot decode (Python sends integers beyond 32 bits as 'L'); remove it from the queue or send that header as a string."
      : "";
    const stopped = this.options.reconnect === false && this.consumers.size > 0 ? " Reconnecting is off: its consumers stay stopped until consume() is called again." : "";
    const lost = new BrokerConnectionError(`Lost the connection to RabbitMQ at ${this.displayUrl}: ${reason}.${hint}${stopped}`, { cause: error });
    // The consumers' owners log it where they log everything else (a worker's log, the ingestor's);
    // the broker's own onError (or a process warning) only hears it when no consumer listens.
    const listeners = [...this.consumers].filter((consumer) => consumer.listening);
    for (const consumer of listeners) consumer.connectionLost(lost);
    if (listeners.length === 0) this.report(lost);
    this.lostAt ??= Date.now();
    this.recoverConsumers();
  }

  // Re-subscribes every consumer without a live channel, retrying with exponential backoff.
  private recoverConsumers(): void {
    const policy = this.options.reconnect;
    if (this.closed || this.reconnectTimer || policy === false) return;
    if ([...this.consumers].every((consumer) => consumer.subscribed)) return;
    const attempt = ++this.reconnectAttempt;
    const delay = Math.min(policy?.maxDelayMs ?? 30_000, (policy?.initialDelayMs ?? 1000) * 2 ** (attempt - 1));
    this.reconnectTimer = setTimeout(() => {
      void this.resubscribe().then(
        () => {
          this.reconnectTimer = null;
          this.reconnectAttempt = 0;
          const seconds = this.lostAt === null ? 0 : Math.round((Date.now() - this.lostAt) / 100) / 10;
          this.lostAt = null;
          for (const consumer of this.consumers) consumer.recovered(`Reconnected to RabbitMQ at ${this.displayUrl} after ${seconds} s: consuming ${consumer.queues.join(", ")} again.`);
        },
        (error: unknown) => {
          this.reconnectTimer = null;
          if (attempt >= (policy?.maxRetries ?? 100)) {
            this.reconnectAttempt = 0;
            this.report(new BrokerConnectionError(`Gave up re-subscribing consumers to ${this.displayUrl} after ${attempt} attempts: ${reasonOf(error)}. Cancel and consume again.`, { cause: error }));
            return;
          }
          this.recoverConsumers();
        },
      );
    }, delay);
  }

  private async resubscribe(): Promise<void> {
    const model = await this.connection();
    for (const consumer of this.consumers) {
      if (!consumer.subscribed) await consumer.subscribe(model);
    }
  }

  // Runs one queue/exchange operation on the shared admin channel. A refusal (404 etc.) closes
  // that channel in AMQP; the next call opens a fresh one.
  private async withAdmin<T>(what: string, run: (channel: Channel) => Promise<T>): Promise<T> {
    try {
      return await run(await this.admin.get());
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  // An operation on a queue that may not exist gets a channel of its own: RabbitMQ closes the
  // channel of a 404, and on the shared admin channel that would fail whatever else was using it.
  private async withScratch<T>(what: string, run: (channel: Channel) => Promise<T>, ifNotFound: T): Promise<T> {
    let channel: Channel;
    try {
      channel = await (await this.connection()).createChannel();
    } catch (error) {
      throw this.failure(what, error);
    }
    // The server may close it (404) before we do: its error and close events are expected.
    channel.on("error", () => {});
    try {
      return await run(channel);
    } catch (error) {
      if (codeOf(error) === NOT_FOUND) return ifNotFound;
      throw this.failure(what, error);
    } finally {
      await channel.close().catch(() => {});
    }
  }

  private failure(what: string, error: unknown): CeleryError {
    if (error instanceof CeleryError) return error;
    const code = codeOf(error);
    if (typeof code === "number" && SOFT_ERROR_CODES.has(code)) {
      return new CeleryError("OPERATIONAL_ERROR", `${what} was refused by RabbitMQ: ${reasonOf(error)}`, { cause: error });
    }
    return new BrokerConnectionError(`${what} failed on ${this.displayUrl}: ${reasonOf(error)}`, { cause: error });
  }

  private report(error: CeleryError): void {
    if (this.options.onError) this.options.onError(error);
    else process.emitWarning(error);
  }
}
