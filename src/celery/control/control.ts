// Remote control of a cluster's workers (app.control); mirrors celery/app/control.py Control.

import type { Broker } from "../broker/broker";
import { Inspect, type InspectOptions } from "./inspect";
import { type BroadcastOptions, Mailbox, type MailboxOptions, type NodeReply } from "./mailbox";
import type { ControlResult } from "./task-info";

/** Addressing and reply options every control command takes (Celery's `**kwargs` to broadcast). */
export type ControlCallOptions<T = ControlResult> = Omit<BroadcastOptions<T>, "arguments">;

export interface ControlOptions extends MailboxOptions {
  /** The app's task queues, which `purge()` empties by default (Celery: the queues it consumes from); ["celery"]. */
  taskQueues?: readonly string[];
}

/** What `addConsumer` declares on the worker: Celery's `add_consumer` arguments. */
export interface AddConsumerOptions extends ControlCallOptions {
  /** Exchange to bind the queue to; defaults on the worker to the queue's name. */
  exchange?: string;
  /** "direct" unless told. */
  exchangeType?: "direct" | "topic" | "fanout";
  routingKey?: string;
  /** Further `kombu.Queue.from_dict` options, sent as they are (e.g. `{queue_durable: false}`). */
  queueOptions?: Record<string, unknown>;
}

/**
 * Celery's `app.control`: commands broadcast to workers over the pidbox. As in Celery, only
 * `ping` waits for replies by default; every other command is fire-and-forget unless called
 * with `reply: true` (then it resolves to `[{nodename: {ok|error: text}}, …]`).
 */
export class Control {
  readonly mailbox: Mailbox;
  readonly broker: Broker;
  private readonly taskQueues: readonly string[];

  constructor(broker: Broker, options: ControlOptions = {}) {
    this.broker = broker;
    this.mailbox = new Mailbox(broker, options);
    this.taskQueues = options.taskQueues ?? ["celery"];
  }

  /** An inspector over this control's mailbox (Celery's `app.control.inspect(...)`). */
  inspect(options: InspectOptions = {}): Inspect {
    return new Inspect(this, options);
  }

  /** Sends any command (Celery's `broadcast`); see {@link Mailbox.broadcast}. */
  broadcast<T = unknown>(command: string, options: BroadcastOptions<T> = {}): Promise<NodeReply<T>[]> {
    return this.mailbox.broadcast(command, options);
  }

  /** Asks workers to answer `{"ok": "pong"}`; always waits (timeout 1 s by default). */
  ping(options: Omit<ControlCallOptions<{ ok: string }>, "reply"> = {}): Promise<NodeReply<{ ok: string }>[]> {
    return this.broadcast("ping", { ...options, reply: true, arguments: {} });
  }

  /**
   * Revokes tasks: workers skip them when they arrive; with `terminate` a running one is
   * signalled (`signal`, default "SIGTERM") and recorded REVOKED ("terminated").
   */
  revoke(taskId: string | readonly string[], options: ControlCallOptions & { terminate?: boolean; signal?: string } = {}): Promise<NodeReply<ControlResult>[]> {
    const { terminate = false, signal = "SIGTERM", ...call } = options;
    return this.broadcast("revoke", { ...call, arguments: { task_id: taskId, terminate, signal } });
  }

  /** `revoke` with `terminate: true`. */
  terminate(taskId: string | readonly string[], options: ControlCallOptions & { signal?: string } = {}): Promise<NodeReply<ControlResult>[]> {
    return this.revoke(taskId, { ...options, terminate: true });
  }

  /** Sets a task's rate limit on the workers: `"10/s"`, `"100/m"`, `"1000/h"`, a number per second, or null/"" to lift it. */
  rateLimit(taskName: string, rateLimit: string | number | null, options: ControlCallOptions = {}): Promise<NodeReply<ControlResult>[]> {
    return this.broadcast("rate_limit", { ...options, arguments: { task_name: taskName, rate_limit: rateLimit } });
  }

  /** Sets a task's soft and hard time limits, in seconds (null = none). */
  timeLimit(taskName: string, soft: number | null = null, hard: number | null = null, options: ControlCallOptions = {}): Promise<NodeReply<ControlResult>[]> {
    return this.broadcast("time_limit", { ...options, arguments: { task_name: taskName, hard, soft } });
  }

  /** Adds `n` pool processes (or concurrency slots). */
  poolGrow(n = 1, options: ControlCallOptions = {}): Promise<NodeReply<ControlResult>[]> {
    return this.broadcast("pool_grow", { ...options, arguments: { n } });
  }

  /** Removes `n` pool processes (or concurrency slots). */
  poolShrink(n = 1, options: ControlCallOptions = {}): Promise<NodeReply<ControlResult>[]> {
    return this.broadcast("pool_shrink", { ...options, arguments: { n } });
  }

  /** Tells workers to start consuming from `queue` (declared on the worker as an automatic queue unless exchange/routing key say otherwise). */
  addConsumer(queue: string, options: AddConsumerOptions = {}): Promise<NodeReply<ControlResult>[]> {
    const { exchange = null, exchangeType = "direct", routingKey = null, queueOptions = {}, ...call } = options;
    return this.broadcast("add_consumer", { ...call, arguments: { queue, exchange, exchange_type: exchangeType, routing_key: routingKey, ...queueOptions } });
  }

  /** Tells workers to stop consuming from `queue`. */
  cancelConsumer(queue: string, options: ControlCallOptions = {}): Promise<NodeReply<ControlResult>[]> {
    return this.broadcast("cancel_consumer", { ...options, arguments: { queue } });
  }

  /** Turns task events on (`celery worker -E` at run time). */
  enableEvents(options: ControlCallOptions = {}): Promise<NodeReply<ControlResult>[]> {
    return this.broadcast("enable_events", { ...options, arguments: {} });
  }

  /** Turns task events off. */
  disableEvents(options: ControlCallOptions = {}): Promise<NodeReply<ControlResult>[]> {
    return this.broadcast("disable_events", { ...options, arguments: {} });
  }

  /** Makes workers send a `worker-heartbeat` event now; they reply nothing. */
  heartbeat(options: ControlCallOptions<null> = {}): Promise<NodeReply<null>[]> {
    return this.broadcast("heartbeat", { ...options, arguments: {} });
  }

  /** Warm-shuts-down the addressed workers (every worker without a destination!); they reply nothing. */
  shutdown(options: ControlCallOptions<never> = {}): Promise<NodeReply<never>[]> {
    return this.broadcast("shutdown", { ...options, arguments: {} });
  }

  /**
   * Deletes every message waiting in the app's task queues (or the queues given) and returns
   * how many were discarded, as Celery's `control.purge()`; messages already delivered to a
   * worker (unacked) are not touched.
   */
  async purge(queues: string | readonly string[] = this.taskQueues): Promise<number> {
    let discarded = 0;
    for (const queue of typeof queues === "string" ? [queues] : queues) discarded += await this.broker.purge(queue);
    return discarded;
  }
}
