// The long-running event ingestor: follows the cluster's Celery events on its broker, turns them into
// observations and writes them to the store in batches, with bounded memory whatever the store does.

import { z } from "zod";
import { type Broker, type CeleryEvent, ContentDisallowed, DecodeError, EventReceiver, MalformedMessage } from "../../celery/index";
import { AppError, reasonOf } from "../app-error";
import { applyIsolating } from "./apply-isolating";
import { invalidReason } from "./check-observation";
import { EventJournal } from "./event-journal";
import { eventObservations } from "./event-observations";
import { IngestBuffer } from "./ingest-buffer";
import type { HistoryWriter, IngestBatch } from "./observation";
import { type QuarantineSink, quarantineEntry } from "./quarantine-entry";
import { QuarantineWriter } from "./quarantine-writer";
import { WorkerLiveness } from "./worker-liveness";

const optionsSchema = z.object({
  flushIntervalMs: z.number().int().positive().default(250),
  maxBatchEvents: z.number().int().positive().default(2_000),
  maxBufferedEvents: z.number().int().positive().default(50_000),
  queueName: z.string().min(1).default("celeriac.events"),
  queueMaxLength: z.number().int().positive().default(200_000),
  queueMessageTtlMs: z.number().int().positive().default(3_600_000),
  prefetch: z.number().int().positive().default(2_000),
  retryInitialMs: z.number().int().positive().default(100),
  retryMaxMs: z.number().int().positive().default(5_000),
  stopTimeoutMs: z.number().int().nonnegative().default(10_000),
  maxConcurrentWrites: z.number().int().positive().default(2),
  livenessIntervalMs: z.number().int().positive().default(1_000),
  journalDir: z.string().min(1).optional(),
  journalMaxBytes: z.number().int().positive().default(512 * 1024 * 1024),
});

export interface EventIngestorOptions {
  broker: Broker;
  writer: HistoryWriter;
  /** Longest time an event waits in memory before a write starts. Default 250. */
  flushIntervalMs?: number;
  /** A write starts as soon as this many events are buffered. Default 2000. */
  maxBatchEvents?: number;
  /**
   * Most events held in memory (buffered plus being written). When the store cannot keep up:
   * in durable mode the consumer stops taking deliveries (they wait in the broker's queue); in
   * pub/sub mode the oldest buffered tasks are dropped and counted. Default 50 000.
   */
  maxBufferedEvents?: number;
  /**
   * Consume through a named durable queue and ack each delivery only once its events are in the
   * store. Default: true except on Redis, whose events travel over pub/sub and cannot wait in a
   * queue (gaps are left to reconciliation).
   */
  durable?: boolean;
  /** Durable mode's queue, bound to celeryev with `#`. Default "celeriac.events". */
  queueName?: string;
  /** Durable queue bound (`x-max-length`, overflow drop-head): the broker never grows without limit. Default 200 000. */
  queueMaxLength?: number;
  /** Durable queue `x-message-ttl`: events older than this are history reconciliation must fill. Default 1 h. */
  queueMessageTtlMs?: number;
  /** Durable mode: most unacked deliveries (basic.qos); a write starts when half of them wait for it. Default 2000. */
  prefetch?: number;
  /** Store retry backoff: first delay, doubling up to `retryMaxMs`. Defaults 100 / 5000. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** How long stop() keeps trying to write what it holds. Default 10 000. */
  stopTimeoutMs?: number;
  /**
   * Batches written at once. More than one lets the database work on one transaction while this
   * process prepares the next; the store's merge is order-independent, so batches may commit in
   * any order. Default 2.
   */
  maxConcurrentWrites?: number;
  /** How often worker heartbeats are checked for expiry. Default 1000. */
  livenessIntervalMs?: number;
  /**
   * Pub/sub mode: a directory where events beyond `maxBufferedEvents` are journaled (appended to
   * disk) instead of dropped, and replayed once the store has caught up; segments a stopped
   * process left are replayed at start. Without it the oldest are dropped and counted.
   */
  journalDir?: string;
  /** Most bytes the journal may hold; past it events are dropped and counted. Default 512 MiB. */
  journalMaxBytes?: number;
  /** The event exchange (Celery's event_exchange). */
  exchange?: string;
  /** Epoch seconds, for heartbeat expiry. */
  now?: () => number;
  /**
   * Malformed events (with the offending payload), store failures (AppError UNAVAILABLE, with
   * the retry plan) and broker-side ack failures. The ingestor keeps running after each.
   */
  onError?: (error: Error, payload: unknown) => void;
  /**
   * Tasks STARTED on a worker that went offline (worker-offline, or heartbeat expired): they may
   * never finish. TaskObservation has no field for this yet, so it is handed out here.
   */
  onPossiblyLost?: (hostname: string, taskIds: string[]) => void;
  /**
   * Where the counters persist (the Store's incrementCounters): after each write the increments
   * of `events.received`, `events.written`, `events.dropped` and `events.malformed` since the
   * last push are added, so that losses show across restarts. Best effort: a failed push is
   * retried with the next one.
   */
  counters?: { incrementCounters(deltas: Readonly<Record<string, number>>): Promise<void> };
  /**
   * Where events that cannot be stored are kept, with the reason (the store, through a redacting
   * sink): an event with a value the store cannot hold is set aside on arrival, and one the store
   * still refuses is found by splitting its batch. Either way the events after it are written.
   */
  quarantine?: QuarantineSink;
}

/** Counters since start(); events are counted once however the buffer merged them. */
export interface IngestStats {
  /** Valid events taken off the broker. */
  received: number;
  /** Events whose batch the store accepted. */
  written: number;
  /** Events dropped to keep memory bounded (pub/sub mode, journal absent or full) or left unwritten by stop(). */
  dropped: number;
  /** Pub/sub mode: events that went to the journal because memory was full (total since start). */
  journaled: number;
  /** Pub/sub mode: events waiting in the journal now. */
  journalBacklog: number;
  /** Undecodable bodies and invalid events, counted and reported through onError. */
  malformed: number;
  /** Events set aside because the store cannot hold them (kept in the quarantine). */
  quarantined: number;
  /** Well-formed events that say nothing about a task or worker (gossip, custom types). */
  ignored: number;
  /** Events held in memory now, including a batch being written. */
  buffered: number;
  /** Duration of the last successful write, ms (null before the first). */
  lastFlushMs: number | null;
  /** The last write failed and no write has succeeded since. */
  storeDown: boolean;
}

const isMalformed = (error: Error) => error instanceof MalformedMessage || error instanceof DecodeError || error instanceof ContentDisallowed;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows the events of the broker's cluster into a HistoryWriter. The consumer never waits for
 * the store: events land in an {@link IngestBuffer} that is handed to the writer (up to
 * `maxConcurrentWrites` batches at once) every `flushIntervalMs` or as soon as `maxBatchEvents`
 * are waiting. A failed write keeps its batch (merged with what arrived since) and is retried
 * with backoff; a durable delivery is acked once every batch holding its events is written. Heartbeat expiry marks silent
 * workers offline (see {@link WorkerLiveness}).
 */
export class EventIngestor {
  readonly durable: boolean;
  private readonly writer: HistoryWriter;
  private readonly config: z.infer<typeof optionsSchema>;
  private readonly receiver: EventReceiver;
  private readonly liveness: WorkerLiveness;
  private readonly onError: (error: Error, payload: unknown) => void;
  private readonly onPossiblyLost: (hostname: string, taskIds: string[]) => void;
  private buffer = new IngestBuffer();
  private readonly inFlight = new Set<IngestBuffer>();
  // The interval passed with events waiting: the next write may start below maxBatchEvents.
  private due = false;
  // Durable mode: the buffers the delivery in hand put events in (a delivery that waited for room
  // can span several); its ack waits for all of them.
  private readonly touched = new Set<IngestBuffer>();
  private flushTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private livenessTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private spaceWaiters: (() => void)[] = [];
  // Durable mode: an event of the delivery in hand could not be buffered (stop() came while it
  // waited for room), so that delivery must be requeued, not acked.
  private incomplete = false;
  private stopping = false;
  // stop() has returned: a write still finishing must not schedule more.
  private closed = false;
  private readonly counterSink: EventIngestorOptions["counters"];
  // What the counter sink already has, and whether a push is under way.
  private pushed = { received: 0, written: 0, dropped: 0, malformed: 0, ignored: 0 };
  private pushing: Promise<void> | null = null;
  private counters: IngestStats = { received: 0, written: 0, dropped: 0, journaled: 0, journalBacklog: 0, malformed: 0, quarantined: 0, ignored: 0, buffered: 0, lastFlushMs: null, storeDown: false };
  private journal: EventJournal | null = null;
  private replaying: Promise<void> | null = null;
  private readonly quarantine: QuarantineWriter;
  // Event types already said to be ignored: each is logged once.
  private readonly ignoredTypes = new Set<string>();

  constructor(options: EventIngestorOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new AppError("BAD_INPUT", `EventIngestor options are invalid: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}.`);
    }
    this.config = parsed.data;
    this.writer = options.writer;
    this.durable = options.durable ?? options.broker.driverType !== "redis";
    this.onError = options.onError ?? ((error) => console.error(`[event-ingestor] ${error.message}`));
    this.onPossiblyLost = options.onPossiblyLost ?? (() => undefined);
    this.counterSink = options.counters;
    this.liveness = new WorkerLiveness({ now: options.now });
    this.quarantine = new QuarantineWriter(options.quarantine, (error) => this.report(error, null));
    this.receiver = new EventReceiver(options.broker, {
      onEvent: (event) => this.take(event),
      onError: (error, payload) => {
        if (isMalformed(error)) this.counters.malformed += 1;
        this.report(error, payload);
      },
      exchange: options.exchange,
      ...(this.durable
        ? {
            durable: true,
            queueName: this.config.queueName,
            queueArguments: { "x-max-length": this.config.queueMaxLength, "x-overflow": "drop-head", "x-message-ttl": this.config.queueMessageTtlMs },
            prefetch: this.config.prefetch,
            deferAck: () => this.ackWhenWritten(),
          }
        : {}),
    });
  }

  /** Declares the event queue and starts consuming. */
  async start(): Promise<void> {
    if (this.stopping) throw new AppError("CONFLICT", "EventIngestor.start(): this ingestor was stopped; create a new one.");
    if (!this.durable && this.config.journalDir && !this.journal) {
      const journal = new EventJournal({ dir: this.config.journalDir, maxBytes: this.config.journalMaxBytes, segmentEvents: Math.max(1, Math.floor(this.config.maxBufferedEvents / 4)) });
      try {
        await journal.open();
        this.journal = journal;
        // What a previous process journaled and never replayed goes first.
        this.replayJournal();
      } catch (error) {
        // Ingesting without a journal beats not ingesting: bursts are then dropped and counted.
        this.report(new AppError("CONFLICT", `${reasonOf(error)} Until then, events past the memory bound are dropped and counted.`), null);
      }
    }
    try {
      await this.receiver.start();
    } catch (error) {
      throw this.explainStartFailure(error);
    }
    this.livenessTimer ??= setInterval(() => this.checkLiveness(), this.config.livenessIntervalMs);
  }

  /**
   * Stops consuming and writes what it holds, trying for up to `stopTimeoutMs`. In durable mode
   * deliveries not written by then are requeued by the broker (nothing is lost); in pub/sub mode
   * they count as dropped.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.releaseSpace();
    // The receiver finishes the delivery in hand, then waits for the acks our last writes settle.
    let receiverDone = false;
    const receiverStopped = this.receiver.stop().finally(() => (receiverDone = true));
    const deadline = Date.now() + this.config.stopTimeoutMs;
    while (!(receiverDone && this.idle())) {
      if (Date.now() >= deadline) {
        this.giveUp();
        break;
      }
      this.kick();
      await sleep(10);
    }
    await receiverStopped;
    await this.replaying;
    // What is still journaled stays on disk for the next process.
    await this.journal?.close();
    await this.quarantine.idle();
    this.quarantine.close();
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.pushing;
    this.pushCounters();
    await this.pushing;
  }

  // RabbitMQ refuses to redeclare a queue with other arguments: say which and what to do.
  private explainStartFailure(error: unknown): unknown {
    const text = error instanceof Error ? `${error.message} ${error.cause instanceof Error ? error.cause.message : ""}` : String(error);
    const mismatch = /inequivalent arg '([^']+)'[^:]*: (received [^"]*but current is '[^']*')/.exec(text);
    if (!this.durable || !mismatch) return error;
    return new AppError(
      "CONFLICT",
      `The event queue ${this.config.queueName} exists with other arguments (${mismatch[1]}: ${mismatch[2]}). Configure the same queueMaxLength/queueMessageTtlMs, or delete the queue (rabbitmqctl delete_queue ${this.config.queueName}) to let it be declared again; events in it are then lost.`,
    );
  }

  /** Counters, a snapshot. */
  stats(): IngestStats {
    return { ...this.counters, buffered: this.held(), journalBacklog: this.journal?.events ?? 0 };
  }

  private held(): number {
    let held = this.buffer.events;
    for (const buffer of this.inFlight) held += buffer.events;
    return held;
  }

  private idle(): boolean {
    return this.buffer.empty && this.buffer.deliveries === 0 && this.inFlight.size === 0 && this.retryTimer === null;
  }

  // The receiver's handler: synchronous unless durable mode must wait for room.
  private take(event: CeleryEvent): Promise<void> | undefined {
    if (this.incomplete) return undefined;
    if (this.durable && this.held() >= this.config.maxBufferedEvents) return this.takeWhenRoom(event);
    // Pub/sub: once memory is full, events queue up on disk, in order, behind what is there already.
    const journal = this.journal;
    if (journal && (this.replaying || !journal.empty || this.held() >= this.config.maxBufferedEvents)) {
      this.counters.received += 1;
      if (journal.append(event)) this.counters.journaled += 1;
      else this.counters.dropped += 1;
      return undefined;
    }
    this.add(event);
    return undefined;
  }

  // Replays the journal, a segment at a time, whenever memory has room for one.
  private replayJournal(): void {
    const journal = this.journal;
    if (!journal || journal.empty || this.replaying || this.closed || this.held() > this.config.maxBufferedEvents / 2) return;
    this.replaying = journal
      .replayOldest((event) => this.add(event, false))
      .then(() => undefined)
      .catch((error: unknown) => this.report(new AppError("UNAVAILABLE", `Could not replay the event journal in ${this.config.journalDir} (${reasonOf(error)}); its segments stay on disk.`), null))
      .finally(() => {
        this.replaying = null;
        this.schedule();
        this.replayJournal();
      });
  }

  private async takeWhenRoom(event: CeleryEvent): Promise<void> {
    while (this.held() >= this.config.maxBufferedEvents) {
      if (this.stopping) {
        this.incomplete = true;
        return;
      }
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    this.add(event);
  }

  /** Buffers one event; `arrived` is false for an event replayed from the journal (counted when it arrived). */
  private add(event: CeleryEvent, arrived = true): void {
    if (arrived) this.counters.received += 1;
    const observed = eventObservations(event);
    if (!observed.task && !observed.worker) {
      this.ignore(event.type);
      return;
    }
    const invalid = invalidReason({ tasks: observed.task ? [observed.task] : [], workers: observed.worker ? [observed.worker] : [], edges: observed.edge ? [observed.edge] : [] });
    if (invalid) {
      this.setAside(`a ${event.type} event from ${String(event.hostname).slice(0, 200)} cannot be stored: ${invalid}`, event);
      return;
    }
    const lost = this.liveness.observe(event);
    this.buffer.add(observed);
    if (this.durable) this.touched.add(this.buffer);
    if (lost.length > 0) this.onPossiblyLost(event.hostname, lost);
    if (!this.durable) {
      const over = this.held() - this.config.maxBufferedEvents;
      if (over > 0) this.counters.dropped += this.buffer.dropOldest(over);
    }
    this.schedule();
  }

  private ignore(type: string): void {
    this.counters.ignored += 1;
    if (this.ignoredTypes.has(type) || this.ignoredTypes.size >= 100) return;
    this.ignoredTypes.add(type);
    this.report(new Error(`Ignoring events of type ${JSON.stringify(type.slice(0, 200))}: they describe no task or worker state (counted in events.ignored; said once per type).`), null);
  }

  // The event is not stored: counted, said once with its reason, kept in the quarantine.
  private setAside(reason: string, input: unknown): void {
    this.counters.quarantined += 1;
    this.report(new AppError("BAD_INPUT", `Set aside ${reason}. It is kept in the quarantine; the events after it are stored as usual.`), null);
    this.quarantine.add(quarantineEntry("event", reason, input));
  }

  // A batch the store refused part of: the refused observations (one at a time) go to the quarantine.
  private refused(batch: IngestBatch, reason: string): void {
    const [observation] = [...batch.tasks, ...batch.workers, ...batch.groups, ...batch.edges];
    const what = batch.tasks[0]?.id ?? batch.workers[0]?.hostname ?? "an observation";
    this.setAside(`the store refused what an event said of ${what}: ${reason}`, observation);
  }

  // deferAck: the delivery whose events were just buffered is acked once that buffer is durable.
  private ackWhenWritten(): Promise<void> {
    if (this.incomplete) {
      this.incomplete = false;
      this.touched.clear();
      return Promise.reject(new Error("stopped before this delivery's events were buffered"));
    }
    // Nothing buffered (every event of it malformed): nothing to wait for.
    if (this.touched.size === 0) return Promise.resolve();
    const written = [...this.touched].map((buffer) => buffer.whenWritten());
    this.touched.clear();
    this.schedule();
    return written.length === 1 ? written[0]! : Promise.all(written).then(() => undefined);
  }

  private checkLiveness(): void {
    for (const { worker, possiblyLost } of this.liveness.expire()) {
      // Not an event received: it counts in no event counter.
      this.buffer.add({ worker }, 0);
      if (possiblyLost.length > 0) this.onPossiblyLost(worker.hostname, possiblyLost);
      this.schedule();
    }
  }

  private full(): boolean {
    return this.buffer.events >= this.config.maxBatchEvents || this.buffer.deliveries >= this.config.prefetch / 2;
  }

  // Starts a write now when a batch is full, else makes sure the interval timer runs.
  private schedule(): void {
    if (this.buffer.empty && this.buffer.deliveries === 0) return;
    if (this.full()) this.kick();
    else if (!this.flushTimer && !this.retryTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.due = true;
        this.kick();
      }, this.config.flushIntervalMs);
    }
  }

  // Starts writes while there is a batch to go (full, due, or stopping) and a write slot free.
  private kick(): void {
    while (!this.closed && !this.retryTimer && this.inFlight.size < this.config.maxConcurrentWrites && !(this.buffer.empty && this.buffer.deliveries === 0) && (this.due || this.stopping || this.full())) {
      this.due = false;
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = null;
      const pending = this.buffer;
      this.buffer = new IngestBuffer();
      this.inFlight.add(pending);
      void this.write(pending).then((written) => this.written(pending, written));
    }
  }

  private written(pending: IngestBuffer, written: boolean): void {
    this.inFlight.delete(pending);
    if (this.closed) return;
    if (!written) {
      // Keep it, with what arrived since, and hold every write back until the retry.
      pending.absorb(this.buffer);
      this.buffer = pending;
      if (!this.retryTimer) {
        const delay = Math.min(this.config.retryInitialMs * 2 ** (this.failures - 1), this.config.retryMaxMs);
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.due = true;
          this.kick();
        }, delay);
      }
      return;
    }
    this.releaseSpace();
    this.kick();
    this.schedule();
    this.replayJournal();
  }

  private async write(pending: IngestBuffer): Promise<boolean> {
    if (pending.empty) {
      pending.settleWritten();
      return true;
    }
    const batch = pending.toBatch();
    const started = performance.now();
    try {
      await applyIsolating(this.writer, batch, (refused, reason) => this.refused(refused, reason));
    } catch (error) {
      this.failures += 1;
      this.counters.storeDown = true;
      const retryIn = Math.min(this.config.retryInitialMs * 2 ** (this.failures - 1), this.config.retryMaxMs);
      const keeping = this.durable ? "the deliveries stay unacked in the broker's queue" : "the oldest are dropped past the buffer bound";
      this.report(
        new AppError(
          "UNAVAILABLE",
          `The store rejected a batch of ${pending.events} events (failure ${this.failures} in a row): ${reasonOf(error)}. Keeping them and retrying in ${retryIn} ms; ${keeping}.`,
        ),
        null,
      );
      return false;
    }
    this.failures = 0;
    this.counters.storeDown = false;
    this.counters.written += pending.events;
    this.counters.lastFlushMs = performance.now() - started;
    pending.settleWritten();
    this.pushCounters();
    return true;
  }

  // Off the write path: a slow counter table must not hold up the next batch.
  private pushCounters(): void {
    const sink = this.counterSink;
    if (!sink || this.pushing) return;
    const now = { received: this.counters.received, written: this.counters.written, dropped: this.counters.dropped, malformed: this.counters.malformed, ignored: this.counters.ignored };
    const deltas: Record<string, number> = {};
    for (const key of Object.keys(now) as (keyof typeof now)[]) if (now[key] !== this.pushed[key]) deltas[`events.${key}`] = now[key] - this.pushed[key];
    if (Object.keys(deltas).length === 0) return;
    this.pushing = sink
      .incrementCounters(deltas)
      .then(
        () => void (this.pushed = now),
        (error: unknown) => this.report(new AppError("UNAVAILABLE", `Could not persist the ingest counters (${reasonOf(error)}); they are added with the next push.`), deltas),
      )
      .finally(() => (this.pushing = null));
  }

  private releaseSpace(): void {
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // stop() ran out of time: requeue what waits for an ack (durable) or count it dropped.
  private giveUp(): void {
    const error = new Error("the event ingestor stopped before the store accepted these events");
    if (!this.durable) this.counters.dropped += this.held();
    for (const buffer of this.inFlight) buffer.settleLost(error);
    this.buffer.settleLost(error);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private report(error: Error, payload: unknown): void {
    try {
      this.onError(error, payload);
    } catch {
      // A throwing onError must not stop the ingestor.
    }
  }
}
