// Consumes Celery events from the celeryev exchange; mirrors celery/events/receiver.py.

import { randomUUID } from "node:crypto";
import type { Broker, Consumer, Delivery, QueueSpec } from "../broker/broker";
import { ContentDisallowed, ImproperlyConfigured } from "../errors";
import { pyJsonParse } from "../protocol/py-json";
import { eventExchange } from "./event-exchange";
import { type CeleryEvent, type KnownEventMap, type KnownEventType, parseEvent } from "./event-types";
import { LamportClock } from "./lamport-clock";
import { adjustTimestamp } from "./utcoffset";

/** A handler may be async: the next event waits for it, so events are handled in wire order. */
export type EventHandler<E> = (event: E) => unknown;

/**
 * Handlers by event type, as Celery's `handlers` mapping: a typed handler per known type, any
 * custom type by name, and `"*"` for every event without its own handler.
 */
export type EventHandlers = { [K in KnownEventType]?: EventHandler<KnownEventMap[K]> } & { "*"?: EventHandler<CeleryEvent> } & {
  [type: string]: EventHandler<never> | undefined;
};

export interface EventReceiverOptions {
  handlers?: EventHandlers;
  /** Called for every event, after its handler. */
  onEvent?: EventHandler<CeleryEvent>;
  /**
   * Undecodable bodies, malformed events (MalformedMessage naming the problem) and handler
   * failures land here with the offending payload; the receiver itself never throws.
   */
  onError: (error: Error, payload: unknown) => void;
  /** The transport receives again after a lost connection (which came to onError as BrokerConnectionError). */
  onRecovered?: (message: string) => void;
  /** Default: Celery's `celeryev.<uuid4>`, auto-delete, non-durable. */
  queueName?: string;
  /**
   * A durable, non-auto-delete queue that outlives this process (needs `queueName`), consumed
   * with acks: each delivery is acked once its events were handled. Meaningful on AMQP only;
   * Redis delivers events over pub/sub, which keeps nothing for absent consumers.
   */
  durable?: boolean;
  /**
   * Queue arguments. The default queue gets Celery's `x-message-ttl` 5000 and `x-expires` 60000
   * (event_queue_ttl / event_queue_expires) merged under these; a durable queue gets exactly
   * these (e.g. `x-max-length`, `x-message-ttl`).
   */
  queueArguments?: Record<string, unknown>;
  /** Binding key on the event exchange; `#` = everything, `task.#`, `worker.#`, … */
  routingKey?: string;
  /** Share with an EventDispatcher, as Celery shares app.clock. */
  clock?: LamportClock;
  /**
   * Shift timestamps from the sender's utcoffset into ours, as Celery's receiver does
   * (a no-op when both sides share a zone). Default true.
   */
  localize?: boolean;
  /** Most unacknowledged deliveries in durable mode. Default 100. */
  prefetch?: number;
  /**
   * Durable mode: called once a delivery's handlers succeeded, instead of acking it at once. The
   * delivery is acked when the returned promise resolves and requeued when it rejects; meanwhile
   * the receiver goes on with the next delivery, so an ack can wait for a batched durable write
   * while `prefetch` bounds the deliveries left unacked. stop() waits for the pending promises
   * before it cancels the consumer (which would requeue their deliveries).
   */
  deferAck?: () => Promise<void>;
  /** The event exchange name (Celery's event_exchange). */
  exchange?: string;
}

export interface CaptureOptions {
  /** Stop after this many events. */
  limit?: number;
  /** Stop after this many milliseconds. */
  timeout?: number;
}

/** Celery's CLIENT_CLOCK_SKEW: task-sent comes from clients, whose clocks never sync. */
const CLIENT_CLOCK_SKEW = -1;

/**
 * Declares a queue bound to `celeryev` and turns each delivery (a single event object or a
 * `task.multi` array) into validated, clock-adjusted events for its handlers.
 */
export class EventReceiver {
  readonly queueName: string;
  readonly clock: LamportClock;
  private readonly broker: Broker;
  private readonly options: EventReceiverOptions;
  private readonly queue: QueueSpec;
  private readonly acks: boolean;
  private consumer: Consumer | null = null;
  // Deliveries can arrive before consume() resolves, so acceptance is tracked apart from it.
  private accepting = false;
  private processing: Promise<void> = Promise.resolve();
  private captured: ((event: CeleryEvent) => void) | null = null;
  private endCapture: (() => void) | null = null;
  private stopping: Promise<void> | null = null;
  private readonly deferred = new Set<Promise<void>>();

  constructor(broker: Broker, options: EventReceiverOptions) {
    if (options.durable && !options.queueName) {
      throw new ImproperlyConfigured("EventReceiver: a durable event queue needs a stable queueName, so that it can be found again after a restart.");
    }
    this.broker = broker;
    this.options = options;
    this.clock = options.clock ?? new LamportClock();
    this.queueName = options.queueName ?? `celeryev.${randomUUID()}`;
    this.acks = options.durable ?? false;
    this.queue = {
      name: this.queueName,
      exchange: eventExchange(broker, options.exchange),
      routingKey: options.routingKey ?? "#",
      durable: this.acks,
      autoDelete: !this.acks,
      exclusive: false,
      arguments: this.acks ? { ...options.queueArguments } : { "x-message-ttl": 5000, "x-expires": 60000, ...options.queueArguments },
    };
  }

  /** True between start() and stop(). */
  get running(): boolean {
    return this.consumer !== null;
  }

  /** Declares the queue and starts consuming. */
  async start(): Promise<void> {
    if (this.consumer) return;
    this.accepting = true;
    try {
      // The transport's own errors (a non-envelope payload on a Redis channel, a lost connection)
      // reach onError like the rest, so they are counted and logged where the caller logs.
      const onError = (error: Error) => this.report(error, null);
      const onRecovered = (message: string) => this.options.onRecovered?.(message);
      this.consumer = await this.broker.consume([this.queue], (delivery) => this.enqueue(delivery), this.acks ? { prefetch: this.options.prefetch ?? 100, onError, onRecovered } : { noAck: true, onError, onRecovered });
    } catch (error) {
      this.accepting = false;
      throw error;
    }
  }

  /**
   * Stops consuming: the delivery being handled is finished, later ones are left to the broker
   * (restored in durable mode), and the queue is deleted unless durable. Do not await it from
   * inside a handler, which it would wait for.
   */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return this.stopping ?? undefined;
    this.consumer = null;
    this.accepting = false;
    this.endCapture?.();
    this.stopping = (async () => {
      // Finish (and ack) what is being handled before cancelling: the broker restores unacked
      // deliveries on cancel, and deliveries queued behind are skipped so that they are restored.
      await this.processing;
      await Promise.all(this.deferred);
      await consumer.cancel();
      // Best effort: a transient queue also goes by itself (auto-delete, x-expires), and a broker
      // that is unreachable right now must not make stopping fail.
      if (!this.acks) await this.broker.deleteQueue(this.queueName).catch((error: unknown) => this.report(error, null));
    })();
    await this.stopping;
  }

  /**
   * Runs the receiver until `limit` events were handled or `timeout` ms passed (or until stop()
   * when neither is given), and returns the events, in order.
   */
  async capture(options: CaptureOptions = {}): Promise<CeleryEvent[]> {
    if (this.consumer) throw new ImproperlyConfigured("EventReceiver.capture(): the receiver is already running; stop() it first.");
    const events: CeleryEvent[] = [];
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve) => {
      this.captured = (event) => {
        events.push(event);
        if (options.limit !== undefined && events.length >= options.limit) resolve();
      };
      // stop() from elsewhere also ends the capture.
      this.endCapture = resolve;
      if (options.timeout !== undefined) timer = setTimeout(resolve, options.timeout);
    });
    try {
      await this.start();
      await done;
    } finally {
      clearTimeout(timer);
      this.captured = null;
      this.endCapture = null;
      await this.stop();
    }
    return options.limit !== undefined ? events.slice(0, options.limit) : events;
  }

  // Deliveries are handled one after another so that async handlers see wire order.
  private enqueue(delivery: Delivery): void {
    this.processing = this.processing.then(() => this.handle(delivery));
  }

  private async handle(delivery: Delivery): Promise<void> {
    if (!this.accepting) return;
    let handlerFailed = false;
    let body: unknown;
    try {
      body = decode(delivery);
    } catch (error) {
      this.report(error, delivery.message.body.toString("utf8"));
    }
    for (const item of body === undefined ? [] : Array.isArray(body) ? body : [body]) {
      let event: CeleryEvent;
      try {
        event = parseEvent(item);
      } catch (error) {
        this.report(error, item);
        continue;
      }
      this.stamp(event);
      try {
        await this.dispatch(event);
      } catch (error) {
        handlerFailed = true;
        this.report(error, event);
      }
    }
    if (!this.acks) return;
    if (!handlerFailed && this.options.deferAck) {
      this.deferAck(delivery, this.options.deferAck);
      return;
    }
    try {
      // A failed handler gets the delivery again (the events are redelivered as a whole, so
      // handlers of a durable queue must be idempotent); bad input is acked, as retrying it
      // cannot help and onError already has it.
      if (handlerFailed) await delivery.reject(true);
      else await delivery.ack();
    } catch (error) {
      this.report(error, null);
    }
  }

  private deferAck(delivery: Delivery, written: () => Promise<void>): void {
    let promise: Promise<void>;
    try {
      promise = written();
    } catch (error) {
      promise = Promise.reject(error);
    }
    // A rejection is the owner's decision (it could not keep the events): requeue, nothing to report.
    const settled: Promise<void> = promise
      .then(
        () => delivery.ack(),
        () => delivery.reject(true),
      )
      .catch((error: unknown) => this.report(error, null))
      .finally(() => this.deferred.delete(settled));
    this.deferred.add(settled);
  }

  // celery.events.receiver.EventReceiver.event_from_message.
  private stamp(event: CeleryEvent): void {
    if (event.type === "task-sent") {
      event.clock = (this.clock.value || 1) + CLIENT_CLOCK_SKEW;
      this.clock.adjust(event.clock);
    } else if (event.clock === undefined) {
      event.clock = this.clock.forward();
    } else {
      this.clock.adjust(event.clock);
    }
    if ((this.options.localize ?? true) && event.utcoffset !== undefined) {
      event.timestamp = adjustTimestamp(event.timestamp, event.utcoffset);
    }
    event.local_received = Date.now() / 1000;
  }

  private async dispatch(event: CeleryEvent): Promise<void> {
    const handlers = this.options.handlers as Record<string, EventHandler<CeleryEvent> | undefined> | undefined;
    const handler = handlers?.[event.type] ?? handlers?.["*"];
    if (handler) await handler(event);
    if (this.options.onEvent) await this.options.onEvent(event);
    this.captured?.(event);
  }

  private report(error: unknown, payload: unknown): void {
    try {
      this.options.onError(error instanceof Error ? error : new Error(String(error)), payload);
    } catch {
      // An onError that throws has nowhere left to report to; the consumer must keep running.
    }
  }
}

function decode(delivery: Delivery): unknown {
  const { contentType, body } = delivery.message;
  if (contentType !== "application/json") {
    throw new ContentDisallowed(`Event on ${delivery.routingKey} has content type ${JSON.stringify(contentType)}; Celery events are JSON (event_serializer = "json").`);
  }
  return pyJsonParse(body.toString("utf8"), `Event body on ${delivery.routingKey}`);
}
