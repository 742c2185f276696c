// Sends Celery events to the celeryev exchange, optionally buffered into task.multi; mirrors celery/events/dispatcher.py.

import { hostname as osHostname } from "node:os";
import type { Broker, ExchangeSpec } from "../broker/broker";
import type { Message } from "../protocol/message";
import { pyJsonStringify } from "../protocol/py-json";
import { eventExchange } from "./event-exchange";
import type { EventBase, KnownEventMap, KnownEventType } from "./event-types";
import { LamportClock } from "./lamport-clock";
import { utcoffset } from "./utcoffset";

/** Fields the dispatcher fills in itself; a caller may still pass its own `timestamp`. */
type EnvelopeField = keyof EventBase;

/**
 * What a caller passes for an event type: the type-specific fields (`uuid` included for task
 * events). Unknown (custom) types take any fields.
 */
export type EventFields<T extends string> = T extends KnownEventType
  ? Omit<KnownEventMap[T], EnvelopeField> & { timestamp?: number }
  : Record<string, unknown>;

export interface EventDispatcherOptions {
  /** Who we are; defaults to Celery's anonymous `gen<pid>@<host>`. */
  hostname?: string;
  /** false makes send() a no-op (Celery's `enabled`). Default true. */
  enabled?: boolean;
  /** Only these groups (`task`, `worker`, …) are sent by send(); default all. */
  groups?: readonly string[];
  /**
   * Buffer task events as a Celery worker does: they leave as one JSON array under routing key
   * `task.multi` once `bufferLimit` are waiting or at the next event-loop turn. Worker events
   * are never buffered.
   */
  buffer?: boolean;
  /** Most buffered events per batch (Celery's buffer_limit, 24). */
  bufferLimit?: number;
  /** Share the receiver's clock here, as Celery shares app.clock. */
  clock?: LamportClock;
  /** Defaults to this process's pid. */
  pid?: number;
  /** The event exchange name (Celery's event_exchange). */
  exchange?: string;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

const BUFFERED_GROUPS: ReadonlySet<string> = new Set(["task"]);

/**
 * Publishes events the way Celery's EventDispatcher does: field order hostname, utcoffset, pid,
 * clock, …fields, timestamp, type; routing key = type with `-` → `.`; delivery_mode 1; header
 * `{hostname}`; Python-identical JSON.
 */
export class EventDispatcher {
  readonly hostname: string;
  readonly clock: LamportClock;
  readonly pid: number;
  private readonly broker: Broker;
  private readonly groups: ReadonlySet<string>;
  private readonly bufferGroups: ReadonlySet<string>;
  private readonly bufferLimit: number;
  private readonly exchange: ExchangeSpec;
  private isEnabled: boolean;
  private declared: Promise<void> | null = null;
  private readonly buffers = new Map<string, Record<string, unknown>[]>();
  private waiters: Waiter[] = [];
  private scheduled: NodeJS.Immediate | null = null;

  constructor(broker: Broker, options: EventDispatcherOptions = {}) {
    this.broker = broker;
    this.pid = options.pid ?? process.pid;
    this.hostname = options.hostname ?? `gen${this.pid}@${osHostname()}`;
    this.isEnabled = options.enabled ?? true;
    this.groups = new Set(options.groups ?? []);
    this.bufferGroups = options.buffer ? BUFFERED_GROUPS : new Set();
    this.bufferLimit = options.bufferLimit ?? 24;
    this.clock = options.clock ?? new LamportClock();
    this.exchange = eventExchange(broker, options.exchange);
  }

  get enabled(): boolean {
    return this.isEnabled;
  }

  enable(): void {
    this.isEnabled = true;
  }

  /** Stops sending; events already buffered are still flushed. */
  async disable(): Promise<void> {
    this.isEnabled = false;
    await this.flush();
  }

  /**
   * Sends an event unless disabled or its group is filtered out. Buffered task events resolve
   * once the batch that carries them is published; await or catch the promise, since a broker
   * failure rejects it.
   */
  async send<T extends string>(type: T, fields: EventFields<T>): Promise<void> {
    if (!this.isEnabled) return;
    const group = type.split("-", 1)[0]!;
    if (this.groups.size > 0 && !this.groups.has(group)) return;
    if (!this.bufferGroups.has(group)) {
      await this.publish(type, fields);
      return;
    }
    const buffer = this.buffers.get(group) ?? [];
    this.buffers.set(group, buffer);
    buffer.push(this.build(type, fields as Record<string, unknown>));
    const sent = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (buffer.length >= this.bufferLimit) {
      void this.flushQuietly();
    } else {
      this.scheduled ??= setImmediate(() => void this.flushQuietly());
    }
    await sent;
  }

  /** Publishes one event immediately, bypassing groups and the buffer (Celery's publish()). */
  async publish<T extends string>(type: T, fields: EventFields<T>): Promise<void> {
    await this.publishBody(this.build(type, fields as Record<string, unknown>), type.replaceAll("-", "."));
  }

  /** Publishes every buffered event now, one `<group>.multi` array per group. */
  async flush(): Promise<void> {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    const batches = [...this.buffers].filter(([, events]) => events.length > 0);
    const waiters = this.waiters;
    this.buffers.clear();
    this.waiters = [];
    try {
      for (const [group, events] of batches) await this.publishBody(events, `${group}.multi`);
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
      throw error;
    }
    for (const waiter of waiters) waiter.resolve();
  }

  /** Flushes what is buffered and disables the dispatcher. */
  async close(): Promise<void> {
    await this.disable();
  }

  // Scheduled flushes report failures through each send() promise, so the flush's own
  // rejection carries nothing new.
  private async flushQuietly(): Promise<void> {
    await this.flush().catch(() => undefined);
  }

  private build(type: string, fields: Record<string, unknown>): Record<string, unknown> {
    // Celery's Event(): the envelope first, then the fields, then timestamp (unless the
    // caller gave one) and type last.
    const { type: _ignored, ...rest } = fields;
    const event: Record<string, unknown> = { hostname: this.hostname, utcoffset: utcoffset(), pid: this.pid, clock: this.clock.forward(), ...rest };
    if (event.timestamp === undefined) event.timestamp = nowSeconds();
    event.type = type;
    return event;
  }

  private async publishBody(body: unknown, routingKey: string): Promise<void> {
    if (!this.declared) {
      this.declared = this.broker.declareExchange(this.exchange).catch((error: unknown) => {
        this.declared = null;
        throw error;
      });
    }
    await this.declared;
    const message: Message = {
      body: Buffer.from(pyJsonStringify(body), "utf8"),
      contentType: "application/json",
      contentEncoding: "utf-8",
      headers: { hostname: this.hostname },
      properties: { delivery_mode: 1 },
    };
    await this.broker.publish(message, { exchange: this.exchange.name, routingKey });
  }
}

// Python's time.time() has microseconds; Date.now() only milliseconds. The wall clock stays the
// source of truth (performance.timeOrigin drifts from it in long-lived processes); the monotonic
// clock only supplies the sub-millisecond digits.
function nowSeconds(): number {
  return (Date.now() + (performance.now() % 1)) / 1000;
}
