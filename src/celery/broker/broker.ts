// The broker interface every transport implements; mirrors the parts of kombu (Connection, Producer, Consumer, Queue, Exchange) Celery uses.

import type { Message } from "../protocol/message";

export type ExchangeType = "direct" | "topic" | "fanout";

export interface ExchangeSpec {
  name: string;
  type: ExchangeType;
  durable?: boolean;
  autoDelete?: boolean;
}

/**
 * A queue and its binding. Defaults follow Celery's automatic queues: a durable queue bound to a
 * durable direct exchange of the same name with routing key = name.
 */
export interface QueueSpec {
  name: string;
  exchange?: ExchangeSpec;
  routingKey?: string;
  durable?: boolean;
  autoDelete?: boolean;
  exclusive?: boolean;
  /** AMQP queue arguments (`x-expires`, `x-message-ttl`, `x-max-length`, `x-max-priority`, …). */
  arguments?: Record<string, unknown>;
}

/** Where a message goes: exchange `""` is the default exchange (routing key = queue name). */
export interface PublishTarget {
  exchange: string;
  routingKey: string;
}

/** One received message plus the means to settle it. */
export interface Delivery {
  message: Message;
  /** The queue it was consumed from. */
  queue: string;
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  deliveryTag: string;
  ack(): Promise<void>;
  /** requeue=true puts it back (Redis: at the back, as kombu); false drops it. */
  reject(requeue: boolean): Promise<void>;
}

export interface ConsumeOptions {
  /** Most unacknowledged deliveries held at once (basic.qos prefetch_count); 0 = unlimited. */
  prefetch?: number;
  /** Deliveries need no ack (events, control): nothing is tracked for redelivery. */
  noAck?: boolean;
  /**
   * Called for anything received that cannot become a `Delivery` (e.g. a Redis list item that is
   * not a kombu envelope: MalformedMessage), and once when the connection the consumer depends on
   * is lost (BrokerConnectionError; the transport keeps retrying and says nothing more until it is
   * back); consumption continues. Without it the transport logs the error.
   */
  onError?: (error: Error) => void;
  /** Called once the consumer receives again after a lost connection, with a sentence saying so. */
  onRecovered?: (message: string) => void;
}

export interface Consumer {
  readonly queues: readonly string[];
  /** Stop receiving; deliveries not yet acked are restored to their queues. */
  cancel(): Promise<void>;
}

/** What a broker reports about one queue at one moment. */
export interface QueueInfo {
  name: string;
  /** Messages waiting (Redis: every priority list; AMQP: ready messages, unacked ones excluded). */
  messages: number;
  /** Consumers subscribed (AMQP passive declare, memory); undefined where the transport has no such count (Redis). */
  consumers?: number;
}

/** Which kombu transport this behaves like (kombu `driver_type`): Celery switches topology on it. */
export type DriverType = "redis" | "amqp" | "memory";

export interface Broker {
  readonly driverType: DriverType;
  /** The broker URL with any password masked: safe to log and show. */
  readonly displayUrl: string;
  connect(): Promise<void>;
  close(): Promise<void>;
  declareExchange(exchange: ExchangeSpec): Promise<void>;
  /** Declares the queue, its exchange and the binding (idempotent). */
  declareQueue(queue: QueueSpec): Promise<void>;
  deleteQueue(name: string): Promise<void>;
  /** Resolves once the broker has the message (AMQP: publisher confirm). */
  publish(message: Message, target: PublishTarget): Promise<void>;
  /**
   * Consume from queues (declared first). Queues bound to a fanout exchange are served by
   * the transport's broadcast mechanism (Redis pub/sub).
   */
  consume(queues: QueueSpec[], onDelivery: (delivery: Delivery) => void, options?: ConsumeOptions): Promise<Consumer>;
  /** Messages waiting in a queue (Redis: all priority sub-queues). */
  queueSize(name: string): Promise<number>;
  /**
   * Depth (and consumer count where the transport knows it) of several queues in one round trip
   * where the transport allows (Redis: one pipeline). A queue that does not exist reads as 0
   * messages and is not created (AMQP: passive declare).
   */
  inspectQueues(names: readonly string[]): Promise<QueueInfo[]>;
  /** Drops every waiting message of the queue; returns how many. */
  purge(name: string): Promise<number>;
}
