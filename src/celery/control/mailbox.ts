// Broadcasts remote-control commands to workers and collects their replies; mirrors kombu/pidbox.py Mailbox (_broadcast, _publish, _collect) as Celery's app.control uses it.

import { randomUUID } from "node:crypto";
import type { Broker, Consumer, Delivery, QueueSpec } from "../broker/broker";
import { LamportClock } from "../events/lamport-clock";
import { decodeBody } from "../protocol/serialization";
import { buildControlRequest } from "./control-request";
import type { NodeMatcher } from "./match-node";

/** One worker's reply as it travels: `{nodename: result}`. */
export type NodeReply<T = unknown> = Record<string, T>;

/** How a broadcast is addressed and whether (and how long) it waits for replies. */
export interface BroadcastOptions<T = unknown> {
  /** Keyword arguments of the command (`{}` when none). */
  arguments?: Record<string, unknown>;
  /** Nodenames (`celery@host`) to address; omitted or empty = every worker. */
  destination?: readonly string[] | null;
  /** Address the workers whose nodename matches (with `matcher`); ignored when `destination` is set. */
  pattern?: string;
  /** How `pattern` matches: `glob` (fnmatch) or `pcre` (regular expression). Celery sends a pattern only with a matcher. */
  matcher?: NodeMatcher;
  /** Wait for replies (Celery's `reply=True`); otherwise the command is fire-and-forget. */
  reply?: boolean;
  /** How long to collect replies, in milliseconds (Celery's default 1 s). */
  timeout?: number;
  /** Stop after this many replies; defaults to `destination.length` when a destination is given. */
  limit?: number;
  /** Called with each reply as it arrives (Celery's `callback`), e.g. to show progress. */
  onReply?: (reply: NodeReply<T>) => void;
}

/** Names and lifetimes of the control exchanges and queues (Celery's `control_*` settings). */
export interface MailboxOptions {
  /** `control_exchange`: the pidbox exchanges are `<name>.pidbox` and `reply.<name>.pidbox` ("celery"). */
  exchange?: string;
  /** `control_queue_ttl` in seconds: the reply queue's `x-message-ttl` (300). */
  queueTtl?: number;
  /** `control_queue_expires` in seconds: the reply queue's `x-expires` (10). */
  queueExpires?: number;
  /** The Lamport clock stamped on requests and advanced by replies (kombu: one per Mailbox). */
  clock?: LamportClock;
  /** Receives replies that cannot be read (not JSON, not an object) and reply-queue clean-up failures; default: a console warning. */
  onError?: (error: Error) => void;
}

const DEFAULT_TIMEOUT_MS = 1000;

/**
 * The client half of kombu's pidbox. `broadcast` publishes to the fanout exchange
 * `celery.pidbox` with an empty routing key (Redis: channel `/<db>.celery.pidbox`); a call that
 * wants replies first declares its own reply queue `<oid>.reply.celery.pidbox`, bound to the
 * direct exchange `reply.celery.pidbox` with routing key `<oid>` (non-durable, auto-delete,
 * `x-expires`/`x-message-ttl` from the options), collects replies whose `ticket` header matches
 * until the timeout or the limit, then deletes the queue.
 *
 * Differences from kombu, on purpose: every call gets a fresh oid and so its own reply queue (as
 * Celery's `app.control` does in practice, one bound Mailbox per call), so replies carrying
 * another ticket can only be stale and are dropped instead of kept for other waiters; and
 * `timeout` bounds the whole collection, where kombu restarts it after each reply, so a call
 * never takes longer than its timeout.
 */
export class Mailbox {
  readonly broker: Broker;
  /** The fanout exchange requests go to (`celery.pidbox`). */
  readonly exchange: string;
  /** The direct exchange workers reply to (`reply.celery.pidbox`). */
  readonly replyExchange: string;
  readonly clock: LamportClock;
  private readonly queueTtl: number;
  private readonly queueExpires: number;
  private readonly onError: (error: Error) => void;

  constructor(broker: Broker, options: MailboxOptions = {}) {
    const namespace = options.exchange ?? "celery";
    this.broker = broker;
    this.exchange = `${namespace}.pidbox`;
    this.replyExchange = `reply.${namespace}.pidbox`;
    this.clock = options.clock ?? new LamportClock();
    this.queueTtl = options.queueTtl ?? 300;
    this.queueExpires = options.queueExpires ?? 10;
    this.onError = options.onError ?? ((error) => console.warn(`Remote control (${this.exchange}): ${error.message}`));
  }

  /**
   * Sends `command` to the addressed workers. With `reply`, resolves to the replies that arrived
   * within the timeout, each `{nodename: result}`, in arrival order (empty when nobody answered);
   * without, resolves to `[]` once the broker has the request.
   */
  async broadcast<T = unknown>(command: string, options: BroadcastOptions<T> = {}): Promise<NodeReply<T>[]> {
    const destination = options.destination ?? null;
    if (destination !== null && !Array.isArray(destination)) {
      throw new TypeError(`broadcast(${JSON.stringify(command)}): destination must be an array of nodenames, not ${typeof destination}; write destination: [${JSON.stringify(destination)}].`);
    }
    const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeout) || timeout < 0) throw new RangeError(`broadcast(${JSON.stringify(command)}): timeout must be a number of milliseconds >= 0, got ${timeout}.`);
    // kombu: with a destination and no explicit limit, stop once every addressed node replied;
    // a limit of 0 means none.
    const limit = (options.limit ?? destination?.length) || undefined;
    // Celery forwards pattern/matcher only when both are given.
    const addressing = options.pattern && options.matcher ? { pattern: options.pattern, matcher: options.matcher } : {};
    await this.declareExchanges();
    if (!options.reply) {
      await this.publish(command, options.arguments, destination, addressing, timeout, undefined);
      return [];
    }
    const oid = randomUUID();
    const ticket = randomUUID();
    const queue = this.replyQueue(oid);
    const collector = new ReplyCollector<T>(ticket, limit, options.onReply, this.clock, this.onError);
    const consumer: Consumer = await this.broker.consume([queue], (delivery) => collector.take(delivery), { noAck: true, onError: this.onError });
    try {
      await this.publish(command, options.arguments, destination, addressing, timeout, { ticket, exchange: this.replyExchange, routingKey: oid });
      return await collector.wait(timeout);
    } finally {
      collector.close();
      // AMQP would drop the auto-delete queue on cancel anyway; Redis keeps the binding and the
      // list until told (kombu's after_reply_message_received does the same SREM + DEL). A
      // failed clean-up does not cost the caller the replies: the queue expires on AMQP
      // (x-expires) and only leaves a few stray keys on Redis, so it is reported, not thrown.
      await consumer
        .cancel()
        .then(() => this.broker.deleteQueue(queue.name))
        .catch((error: unknown) => this.onError(new Error(`Could not remove the reply queue ${queue.name}: ${(error as Error).message}`, { cause: error })));
    }
  }

  /** The reply queue kombu declares for an oid (Mailbox.get_reply_queue). */
  replyQueue(oid: string): QueueSpec {
    return {
      name: `${oid}.${this.replyExchange}`,
      exchange: { name: this.replyExchange, type: "direct", durable: false, autoDelete: false },
      routingKey: oid,
      durable: false,
      autoDelete: true,
      arguments: { "x-expires": this.queueExpires * 1000, "x-message-ttl": this.queueTtl * 1000 },
    };
  }

  // Every call, not cached: a RabbitMQ restart drops these non-durable exchanges (workers
  // redeclare them on reconnect), and Redis needs the fanout type known before a publish turns
  // into PUBLISH. Idempotent and one round trip on AMQP, local on Redis.
  private async declareExchanges(): Promise<void> {
    await this.broker.declareExchange({ name: this.exchange, type: "fanout", durable: false, autoDelete: false });
    await this.broker.declareExchange({ name: this.replyExchange, type: "direct", durable: false, autoDelete: false });
  }

  private async publish(
    method: string,
    args: Record<string, unknown> | undefined,
    destination: readonly string[] | null,
    addressing: { pattern?: string; matcher?: string },
    timeout: number,
    reply: { ticket: string; exchange: string; routingKey: string } | undefined,
  ): Promise<void> {
    const message = buildControlRequest({ method, arguments: args, destination, ...addressing, reply, clock: this.clock.forward(), timeout });
    await this.broker.publish(message, { exchange: this.exchange, routingKey: "" });
  }
}

/** Gathers the replies of one ticket (kombu Mailbox._collect's on_message). */
class ReplyCollector<T> {
  private readonly replies: NodeReply<T>[] = [];
  private done: (() => void) | null = null;
  // Set once the limit is reached or the call is over: later deliveries are ignored.
  private closed = false;

  constructor(
    private readonly ticket: string,
    private readonly limit: number | undefined,
    private readonly onReply: ((reply: NodeReply<T>) => void) | undefined,
    private readonly clock: LamportClock,
    private readonly onError: (error: Error) => void,
  ) {}

  take(delivery: Delivery): void {
    if (this.closed) return;
    const headers = delivery.message.headers;
    this.clock.adjust(typeof headers.clock === "number" ? headers.clock : 0);
    if (typeof headers.expires === "number" && headers.expires && Date.now() / 1000 > headers.expires) return;
    // A reply without a ticket header (kombu < 2.5) counts as ours.
    if (headers.ticket !== undefined && headers.ticket !== this.ticket) return;
    let reply: unknown;
    try {
      reply = decodeBody(delivery.message);
      if (typeof reply !== "object" || reply === null || Array.isArray(reply)) throw new TypeError(`a control reply must be a {nodename: result} object, got ${JSON.stringify(reply)}`);
    } catch (error) {
      this.onError(error as Error);
      return;
    }
    this.replies.push(reply as NodeReply<T>);
    this.onReply?.(reply as NodeReply<T>);
    // Anything arriving between here and the consumer's cancel is beyond the limit: ignored.
    if (this.limit !== undefined && this.replies.length >= this.limit) this.close();
  }

  /** Resolves with the replies once `limit` arrived or `timeout` ms passed. */
  wait(timeout: number): Promise<NodeReply<T>[]> {
    if (this.closed) return Promise.resolve(this.replies.slice());
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.done?.(), timeout);
      this.done = () => {
        clearTimeout(timer);
        this.done = null;
        resolve(this.replies.slice());
      };
    });
  }

  close(): void {
    this.closed = true;
    this.done?.();
  }
}
