// A Celery-compatible worker for TypeScript tasks: consume, schedule, execute, events, remote control, shutdown; mirrors celery/worker/{worker,consumer/consumer,strategy,request,state,heartbeat,pidbox}.py.

import { hostname as osHostname, loadavg } from "node:os";
import type { Consumer, Delivery, QueueSpec } from "../broker/broker";
import { BrokerConnectionError, CeleryError, ImproperlyConfigured, NotRegistered } from "../errors";
import { EventDispatcher } from "../events/event-dispatcher";
import { parsePyIsoformat } from "../protocol/py-isoformat";
import { pyJsonParse, pyJsonStringify } from "../protocol/py-json";
import { saferepr } from "../protocol/saferepr";
import { parseTaskMessage, type TaskRequest } from "../protocol/task-message";
import { FAILURE, RETRY, SUCCESS } from "../states";
import { CONTROL_COMMANDS, type ControlTarget, dispatchControl, isAddressedTo, NO_REPLY, type TaskInfo } from "./control-panel";
import { describeError } from "./describe-error";
import { requestContext } from "./request-context";
import { RevokedSet } from "./revoked-set";
import type { TaskRequestContext } from "./task-context";
import { ThreadPool } from "./thread-pool";
import { type TraceJob, type TraceOutcome, Tracer } from "./trace-task";
import type { WorkerApp } from "./worker-app";
import { type WorkerTask, workerTaskFrom } from "./worker-task";

/** Where the worker writes what it does; defaults to console with a level prefix. */
export interface WorkerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface WorkerOptions {
  /** Queues to consume (default: the app's default queue). */
  queues?: string[];
  /** Tasks run at once (default 8). */
  concurrency?: number;
  /** Prefetch = concurrency × this (default 4, Celery's worker_prefetch_multiplier). */
  prefetchMultiplier?: number;
  /** Node name (default `celery@<host>`). */
  hostname?: string;
  /** Send task events (`-E`). Worker heartbeats are sent regardless, as Celery does. */
  sendEvents?: boolean;
  /** Ack after the task ran instead of before (global default for task_acks_late). */
  acksLate?: boolean;
  /** Store STARTED before running (task_track_started; default false as Celery). */
  trackStarted?: boolean;
  /** Store name/args/kwargs/worker/retries/queue in results (result_extended; default true). */
  resultExtended?: boolean;
  /** Seconds between worker-heartbeat events (default 2). */
  heartbeatInterval?: number;
  /**
   * Where tasks run (Celery's `-P`): "async" (default) interleaves them on this event loop, for
   * I/O-bound work; "threads" runs each in a worker thread that loaded `threads.module`, for
   * CPU-bound work, and a hard time limit or revoke --terminate stops it by ending its thread.
   */
  pool?: "async" | "threads";
  /** With pool "threads": the module exporting the app, and modules each thread imports first (a TypeScript loader, e.g. tsx/esm/api). */
  threads?: { module: string | URL; preload?: string[] };
  /** Answer remote control over celery.pidbox (default true). */
  enableRemoteControl?: boolean;
  logger?: WorkerLogger;
}

const SW_IDENT = "celeriac";
const SW_VER = "5.2.6";
const PIDBOX_EXCHANGE = "celery.pidbox";
const REPLY_EXCHANGE = "reply.celery.pidbox";

/** One received task message, from receipt until it is settled (celery.worker.request.Request). */
interface WorkerRequest {
  delivery: Delivery;
  parsed: TaskRequest;
  context: TaskRequestContext;
  task: WorkerTask;
  acknowledged: boolean;
  timeStart: number | null;
  abort: AbortController;
  /** Set when revoked/terminated was announced: late outcomes are dropped. */
  settled: boolean;
  etaTimer: NodeJS.Timeout | null;
  eta: Date | null;
}

function consoleLogger(): WorkerLogger {
  return {
    info: (message) => console.info(`[celeriac] ${message}`),
    warn: (message) => console.warn(`[celeriac] ${message}`),
    error: (message) => console.error(`[celeriac] ${message}`),
  };
}

// "10/s", "5/m", "1/h" or n per second → minimum milliseconds between starts (Celery's rate()).
function rateInterval(rate: string | number | null | undefined): number {
  if (rate === null || rate === undefined || rate === "") return 0;
  const [count, unit] = typeof rate === "number" ? [rate, "s"] : [Number(rate.split("/")[0]), (rate.split("/")[1] ?? "s").trim()];
  if (!count) return 0;
  const per = unit === "m" ? 60_000 : unit === "h" ? 3_600_000 : 1_000;
  return per / count;
}

/**
 * Consumes task messages and runs the registered TypeScript implementations exactly as a Celery
 * 5.2 worker would: acks (early by default, late per task or globally), ETA held in memory,
 * expires/revokes, results with result_extended fields and children, callbacks, chains, chord
 * joins, errbacks, retries, events and remote control.
 */
export class Worker implements ControlTarget {
  readonly hostname: string;
  readonly queues: string[];
  private concurrency: number;
  private readonly prefetch: number;
  private readonly options: WorkerOptions;
  private readonly logger: WorkerLogger;
  private readonly tracer: Tracer;
  private readonly threadPool: ThreadPool | null = null;
  private readonly dispatcher: EventDispatcher;
  private readonly revoked = new RevokedSet();
  private readonly reservedQueue: WorkerRequest[] = [];
  private readonly scheduledRequests = new Set<WorkerRequest>();
  private readonly activeRequests = new Set<WorkerRequest>();
  private readonly totals = new Map<string, number>();
  private readonly rateLimits = new Map<string, { interval: number; next: number }>();
  private readonly taskOverrides = new Map<string, Partial<WorkerTask>>();
  private readonly taskCache = new Map<string, { source: unknown; task: WorkerTask }>();
  private readonly startedAt = Date.now();
  private taskEvents: boolean;
  private consumer: Consumer | null = null;
  private pidbox: Consumer | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private state: "new" | "running" | "stopping" | "stopped" = "new";
  private idleWaiters: (() => void)[] = [];
  private processed = 0;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly app: WorkerApp,
    options: WorkerOptions = {},
  ) {
    this.options = options;
    this.hostname = options.hostname ?? `celery@${osHostname()}`;
    this.queues = options.queues?.length ? [...options.queues] : [app.defaultQueue];
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.prefetch = this.concurrency * (options.prefetchMultiplier ?? 4);
    this.logger = options.logger ?? consoleLogger();
    this.taskEvents = options.sendEvents ?? false;
    this.dispatcher = new EventDispatcher(app.broker, { hostname: this.hostname, buffer: true });
    if (options.pool === "threads") {
      if (!options.threads?.module) throw new ImproperlyConfigured(`Worker ${this.hostname}: pool "threads" needs threads.module, the module that exports the app (the CLI passes -A).`);
      this.threadPool = new ThreadPool({ ...options.threads, size: () => this.concurrency });
    }
    this.tracer = new Tracer(app, {
      hostname: this.hostname,
      resultExtended: options.resultExtended ?? true,
      trackStarted: options.trackStarted ?? false,
      pid: process.pid,
      log: (level, message) => this.logger[level](message),
    });
  }

  /** Connects, declares and starts consuming; resolves once the worker is online. */
  async start(): Promise<void> {
    if (this.state !== "new") throw new CeleryError("IMPROPERLY_CONFIGURED", `Worker ${this.hostname} was already started; create a new Worker to start again.`);
    this.state = "running";
    await this.app.broker.connect();
    await this.app.backend.connect();
    await this.threadPool?.start();
    this.consumer = await this.consumeTasks(this.queues);
    if (this.options.enableRemoteControl ?? true) await this.startPidbox();
    await this.sendWorkerEvent("worker-online");
    const interval = (this.options.heartbeatInterval ?? 2) * 1000;
    this.heartbeatTimer = setInterval(() => void this.sendWorkerEvent("worker-heartbeat"), interval);
    this.logger.info(`${this.hostname} ready: consuming ${this.queues.join(", ")} with concurrency ${this.concurrency} on ${this.app.broker.displayUrl}`);
  }

  /**
   * Warm shutdown: stop taking tasks, let running tasks finish, then cancel the consumer, which
   * returns reserved and ETA messages (still unacked) to their queues; send worker-offline. `cold: true` stops without waiting: unacked messages (acksLate
   * tasks included) are restored by the broker, nothing acked is lost.
   */
  stop(options: { cold?: boolean } = {}): Promise<void> {
    if (options.cold) {
      for (const request of this.activeRequests) request.settled = true;
      this.activeRequests.clear();
      this.notifyIdle();
    }
    this.stopping ??= this.finish();
    return this.stopping;
  }

  private async finish(): Promise<void> {
    if (this.state === "new" || this.state === "stopped") {
      this.state = "stopped";
      return;
    }
    this.state = "stopping";
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    // Reserved and ETA messages stay unacked: cancelling the consumer restores them to their queues
    // (rejecting with requeue would only hand them straight back to this still-subscribed consumer).
    for (const request of this.scheduledRequests) if (request.etaTimer) clearTimeout(request.etaTimer);
    this.scheduledRequests.clear();
    this.reservedQueue.length = 0;
    if (this.activeRequests.size > 0) {
      this.logger.info(`Warm shutdown: waiting for ${this.activeRequests.size} running task(s)`);
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    await this.consumer?.cancel();
    await this.pidbox?.cancel();
    await this.threadPool?.close();
    await this.sendWorkerEvent("worker-offline");
    await this.dispatcher.close().catch(() => undefined);
    this.state = "stopped";
    this.logger.info(`${this.hostname} stopped`);
  }

  // -- consuming ----------------------------------------------------------------------------

  private consumeTasks(queues: string[]): Promise<Consumer> {
    return this.app.broker.consume(
      queues.map((name): QueueSpec => ({ name })),
      (delivery) => void this.onDelivery(delivery),
      {
        prefetch: this.prefetch,
        // A lost connection drops nothing (the broker keeps the messages): say what it is.
        onError: (error) => (error instanceof BrokerConnectionError ? this.logger.warn(error.message) : this.logger.error(`Dropped an undecodable broker message: ${error.message}`)),
        onRecovered: (message) => this.logger.info(message),
      },
    );
  }

  private async onDelivery(delivery: Delivery): Promise<void> {
    // While stopping, deliveries are left unacked for the consumer's cancel() to restore.
    if (this.state !== "running") return;
    let parsed: TaskRequest;
    try {
      parsed = parseTaskMessage(delivery.message);
    } catch (error) {
      // Celery: on_invalid_task / on_decode_error — logged and dropped from the queue, never retried.
      this.logger.error(`Rejected an invalid task message from ${delivery.queue}: ${(error as Error).message}. Headers: ${JSON.stringify(delivery.message.headers).slice(0, 500)}`);
      await delivery.reject(false).catch((e: unknown) => this.logger.error(`Could not reject: ${(e as Error).message}`));
      const id = delivery.message.headers.id;
      if (typeof id === "string") this.sendTaskEvent("task-rejected", { uuid: id, requeue: false });
      return;
    }
    const task = this.taskFor(parsed.task);
    if (!task) {
      await this.onUnknownTask(delivery, parsed);
      return;
    }
    const request: WorkerRequest = {
      delivery,
      parsed,
      context: requestContext(parsed, delivery, this.hostname),
      task,
      acknowledged: false,
      timeStart: null,
      abort: new AbortController(),
      settled: false,
      etaTimer: null,
      eta: null,
    };
    this.logger.info(`Task ${parsed.task}[${parsed.id}] received`);
    if ((parsed.expires || this.revoked.has(parsed.id)) && (await this.revokedCheck(request))) return;
    const received = { uuid: parsed.id, name: parsed.task, args: parsed.argsrepr ?? "", kwargs: parsed.kwargsrepr ?? "", root_id: parsed.root_id, parent_id: parsed.parent_id, retries: parsed.retries, eta: parsed.eta, expires: parsed.expires };
    this.sendTaskEvent("task-received", received, task);
    if (parsed.eta) {
      let eta: Date;
      try {
        eta = parsePyIsoformat(parsed.eta, "eta");
      } catch (error) {
        this.logger.error(`Couldn't convert ETA ${parsed.eta} of ${parsed.task}[${parsed.id}]: ${(error as Error).message}`);
        await this.reject(request, false);
        return;
      }
      const delay = eta.getTime() - Date.now();
      if (delay > 0) {
        request.eta = eta;
        this.scheduledRequests.add(request);
        // Node timers overflow above 2^31-1 ms; re-arm until due.
        const arm = (): void => {
          const remaining = eta.getTime() - Date.now();
          request.etaTimer = setTimeout(remaining > 2 ** 31 - 1 ? arm : () => this.onEtaDue(request), Math.min(Math.max(0, remaining), 2 ** 31 - 1));
        };
        arm();
        return;
      }
    }
    this.reserve(request);
  }

  private onEtaDue(request: WorkerRequest): void {
    request.etaTimer = null;
    if (!this.scheduledRequests.delete(request)) return;
    this.reserve(request);
  }

  // Built once per registered Task object (re-registering a name replaces it) and per override:
  // every delivery looks its task up, so this must not rebuild the worker's view each time.
  private taskFor(name: string): WorkerTask | undefined {
    const source = this.app.tasks.get(name);
    const cached = this.taskCache.get(name);
    if (cached && cached.source === source) return cached.task;
    const built = workerTaskFrom(source);
    if (!built) return undefined;
    const override = this.taskOverrides.get(name);
    const own = override ? { ...built, ...override, run: built.run.bind(built) } : built;
    const task = this.threadPool ? this.threadPool.wrap(own) : own;
    this.taskCache.set(name, { source, task });
    return task;
  }

  private overrideTask(name: string, override: Partial<WorkerTask>): void {
    this.taskOverrides.set(name, { ...this.taskOverrides.get(name), ...override });
    this.taskCache.delete(name);
  }

  // Celery's on_unknown_task: reject, store FAILURE NotRegistered, emit task-failed.
  private async onUnknownTask(delivery: Delivery, parsed: TaskRequest): Promise<void> {
    const error = new NotRegistered(parsed.task);
    this.logger.error(`Received unregistered task of type '${parsed.task}' (id ${parsed.id}): the message has been rejected. Register the task in the app this worker loads, or route it to a worker that has it.`);
    await delivery.reject(false).catch(() => undefined);
    const description = describeError(error);
    try {
      await this.app.backend.storeResult({ status: FAILURE, result: description.exc, traceback: description.traceback, children: null, date_done: null, task_id: parsed.id });
    } catch (storeError) {
      this.logger.error(`Could not store NotRegistered for ${parsed.id}: ${(storeError as Error).message}`);
    }
    this.sendTaskEvent("task-failed", { uuid: parsed.id, exception: `NotRegistered(${JSON.stringify(parsed.task).replace(/^"|"$/g, "'")})` });
  }

  // -- revocation and expiry (Request.revoked / maybe_expire / _announce_revoked) -------------------

  private async revokedCheck(request: WorkerRequest): Promise<boolean> {
    if (request.settled) return true;
    let expired = false;
    if (request.parsed.expires) {
      try {
        expired = parsePyIsoformat(request.parsed.expires, "expires").getTime() < Date.now();
      } catch {
        expired = false;
      }
      if (expired) this.revoked.add(request.parsed.id);
    }
    if (!this.revoked.has(request.parsed.id)) return false;
    this.logger.info(`Discarding revoked task: ${request.parsed.task}[${request.parsed.id}]`);
    await this.announceRevoked(request, expired ? "expired" : "revoked", false, null, expired);
    return true;
  }

  private async announceRevoked(request: WorkerRequest, reason: string, terminated: boolean, signum: number | null, expired: boolean): Promise<void> {
    request.settled = true;
    this.sendTaskEvent("task-revoked", { uuid: request.parsed.id, terminated, signum, expired }, request.task);
    try {
      const description = describeError(revokedError(reason));
      await this.tracer.store(request.context, "REVOKED", description.exc, null, null);
      await this.tracer.onChordPartReturn(request.context, "REVOKED", description.exc);
    } catch (error) {
      this.logger.error(`Could not store REVOKED for ${request.parsed.id}: ${(error as Error).message}`);
    }
    await this.ack(request);
  }

  // -- the pool ------------------------------------------------------------------------------

  private reserve(request: WorkerRequest): void {
    this.reservedQueue.push(request);
    this.drain();
  }

  private drain(): void {
    while (this.state === "running" && this.activeRequests.size < this.concurrency && this.reservedQueue.length > 0) {
      const now = Date.now();
      const index = this.reservedQueue.findIndex((request) => (this.rateLimits.get(request.parsed.task)?.next ?? 0) <= now);
      if (index === -1) {
        const soonest = Math.min(...this.reservedQueue.map((request) => this.rateLimits.get(request.parsed.task)?.next ?? now));
        setTimeout(() => this.drain(), Math.max(1, soonest - now));
        return;
      }
      const [request] = this.reservedQueue.splice(index, 1);
      const limit = this.rateLimits.get(request!.parsed.task);
      if (limit) limit.next = Math.max(now, limit.next) + limit.interval;
      this.activeRequests.add(request!);
      void this.execute(request!).finally(() => {
        this.activeRequests.delete(request!);
        this.notifyIdle();
        this.drain();
      });
    }
  }

  private notifyIdle(): void {
    if (this.activeRequests.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private acksLate(request: WorkerRequest): boolean {
    return request.task.acksLate ?? this.options.acksLate ?? false;
  }

  private async execute(request: WorkerRequest): Promise<void> {
    const { parsed, task } = request;
    if ((request.settled || parsed.expires || this.revoked.has(parsed.id)) && (await this.revokedCheck(request))) return;
    this.processed += 1;
    this.totals.set(parsed.task, (this.totals.get(parsed.task) ?? 0) + 1);
    request.timeStart = Date.now() / 1000;
    // Early ack and the STARTED write go out together; the tracer runs the body once both landed.
    const acked = this.acksLate(request) ? null : this.ack(request);
    this.sendTaskEvent("task-started", { uuid: parsed.id }, task);
    const [hard, soft] = parsed.timelimit;
    const job: TraceJob = {
      request: request.context,
      task,
      ignoreResult: parsed.ignore_result || (task.ignoreResult ?? false),
      abort: request.abort,
      softTimeLimit: soft ?? task.softTimeLimit ?? null,
      timeLimit: hard ?? task.timeLimit ?? null,
      isSettled: () => request.settled,
      acked,
    };
    let outcome: TraceOutcome;
    try {
      outcome = await this.tracer.trace(job);
    } catch (error) {
      // The backend or broker failed while recording the outcome: requeue if we still can.
      this.logger.error(`Task ${parsed.task}[${parsed.id}] could not be recorded: ${(error as Error).message}`);
      await this.reject(request, true);
      return;
    }
    await this.onOutcome(request, outcome);
  }

  private async onOutcome(request: WorkerRequest, outcome: TraceOutcome): Promise<void> {
    const { parsed } = request;
    switch (outcome.state) {
      case SUCCESS:
        this.logger.info(`Task ${parsed.task}[${parsed.id}] succeeded in ${outcome.runtime.toFixed(6)}s`);
        await this.ack(request);
        this.sendTaskEvent("task-succeeded", { uuid: parsed.id, result: saferepr(outcome.retval), runtime: outcome.runtime }, request.task);
        return;
      case RETRY:
        this.logger.info(`Task ${parsed.task}[${parsed.id}] retry: ${outcome.error.repr}`);
        await this.ack(request);
        this.sendTaskEvent("task-retried", { uuid: parsed.id, exception: outcome.error.repr, traceback: outcome.error.traceback }, request.task);
        return;
      case FAILURE:
        if (request.task.acksOnFailureOrTimeout === false && this.acksLate(request)) await this.reject(request, false);
        else await this.ack(request);
        this.sendTaskEvent("task-failed", { uuid: parsed.id, exception: outcome.error.repr, traceback: outcome.error.traceback }, request.task);
        return;
      case "REJECTED":
        await this.reject(request, outcome.requeue);
        return;
      case "IGNORED":
      case "REVOKED":
        await this.ack(request);
    }
  }

  private async ack(request: WorkerRequest): Promise<void> {
    if (request.acknowledged) return;
    request.acknowledged = true;
    await request.delivery.ack().catch((error: unknown) => this.logger.error(`Could not ack ${request.parsed.id}: ${(error as Error).message}`));
  }

  private async reject(request: WorkerRequest, requeue: boolean): Promise<void> {
    if (request.acknowledged) return;
    request.acknowledged = true;
    await request.delivery.reject(requeue).catch((error: unknown) => this.logger.error(`Could not reject ${request.parsed.id}: ${(error as Error).message}`));
    this.sendTaskEvent("task-rejected", { uuid: request.parsed.id, requeue }, request.task);
  }

  // -- events --------------------------------------------------------------------------------

  /**
   * Queues a task event (Celery's Request.send_event: only when events are on and the task sends
   * them). Not awaited, like Celery's buffered send: the dispatcher keeps the order, flushes on
   * the next turn of the event loop and on stop, and a failed publish is logged, never fatal.
   */
  private sendTaskEvent(type: string, fields: Record<string, unknown>, task?: WorkerTask): void {
    if (!this.taskEvents || task?.sendEvents === false) return;
    this.dispatcher.send(type, fields).catch((error: unknown) => this.logger.warn(`Could not send ${type}: ${(error as Error).message}`));
  }

  private async sendWorkerEvent(type: "worker-online" | "worker-heartbeat" | "worker-offline"): Promise<void> {
    const load = loadavg().map((value) => Math.ceil(value * 100) / 100);
    await this.dispatcher
      .send(type, { freq: (this.options.heartbeatInterval ?? 2) * 1.0, active: this.activeRequests.size, processed: this.processed, loadavg: load, sw_ident: SW_IDENT, sw_ver: SW_VER, sw_sys: process.platform === "linux" ? "Linux" : process.platform })
      .catch((error: unknown) => this.logger.warn(`Could not send ${type}: ${(error as Error).message}`));
  }

  // -- remote control (kombu.pidbox.Node) ----------------------------------------------------------

  private async startPidbox(): Promise<void> {
    const exchange = { name: PIDBOX_EXCHANGE, type: "fanout" as const, durable: false, autoDelete: false };
    await this.app.broker.declareExchange(exchange);
    await this.app.broker.declareExchange({ name: REPLY_EXCHANGE, type: "direct", durable: false, autoDelete: false });
    this.pidbox = await this.app.broker.consume(
      [{ name: `${this.hostname}.celery.pidbox`, exchange, routingKey: "", durable: false, autoDelete: true, arguments: { "x-expires": 10_000, "x-message-ttl": 300_000 } }],
      (delivery) => void this.onControl(delivery),
      {
        noAck: true,
        onError: (error) => this.logger.warn(error instanceof BrokerConnectionError ? `Remote control: ${error.message}` : `Ignored an undecodable control message: ${error.message}`),
        onRecovered: (message) => this.logger.info(`Remote control: ${message}`),
      },
    );
  }

  private async onControl(delivery: Delivery): Promise<void> {
    let body: Record<string, unknown>;
    try {
      body = pyJsonParse(delivery.message.body.toString("utf8"), "control message") as Record<string, unknown>;
      if (typeof body !== "object" || body === null || typeof body.method !== "string") throw new Error("it has no method");
    } catch (error) {
      this.logger.warn(`Ignored a malformed control message: ${(error as Error).message}`);
      return;
    }
    const clock = delivery.message.headers.clock;
    if (typeof clock === "number") this.dispatcher.clock.adjust(clock);
    if (!isAddressedTo(this.hostname, body)) return;
    const args = typeof body.arguments === "object" && body.arguments !== null ? (body.arguments as Record<string, unknown>) : {};
    const reply = await dispatchControl(this, body.method as string, args);
    const replyTo = body.reply_to as { exchange?: string; routing_key?: string } | undefined;
    if (reply === NO_REPLY || !replyTo?.routing_key) return;
    await this.app.broker
      .publish(
        {
          body: Buffer.from(pyJsonStringify({ [this.hostname]: reply }), "utf8"),
          contentType: "application/json",
          contentEncoding: "utf-8",
          headers: { ticket: body.ticket ?? null, clock: this.dispatcher.clock.forward() },
          properties: { delivery_mode: 1 },
        },
        { exchange: replyTo.exchange ?? REPLY_EXCHANGE, routingKey: replyTo.routing_key },
      )
      .catch((error: unknown) => this.logger.warn(`Could not reply to ${body.method as string}: ${(error as Error).message}`));
  }

  // ControlTarget -------------------------------------------------------------------------------

  clockValue(): number {
    return this.dispatcher.clock.value;
  }

  revoke(ids: string[], terminate: boolean, signal: string): string[] {
    for (const id of ids) this.revoked.add(id);
    if (!terminate) return [];
    const terminated: string[] = [];
    for (const request of this.activeRequests) {
      if (!ids.includes(request.parsed.id) || request.settled) continue;
      terminated.push(request.parsed.id);
      this.logger.info(`Terminating ${request.parsed.id} (${signal})`);
      request.abort.abort(revokedError("terminated"));
      void this.announceRevoked(request, "terminated", true, signalNumber(signal), false);
    }
    return terminated;
  }

  private info(request: WorkerRequest, safe = false): TaskInfo {
    return {
      id: request.parsed.id,
      name: request.parsed.task,
      args: safe ? request.parsed.argsrepr : request.parsed.args,
      kwargs: safe ? request.parsed.kwargsrepr : request.parsed.kwargs,
      type: request.parsed.task,
      hostname: this.hostname,
      time_start: request.timeStart,
      acknowledged: request.acknowledged,
      delivery_info: request.context.delivery_info,
      worker_pid: request.timeStart === null ? null : process.pid,
    };
  }

  active(safe: boolean): TaskInfo[] {
    return [...this.activeRequests].map((request) => this.info(request, safe));
  }

  reserved(): TaskInfo[] {
    return this.reservedQueue.map((request) => this.info(request));
  }

  scheduled(): { eta: string; priority: number | null; request: TaskInfo }[] {
    return [...this.scheduledRequests].map((request) => ({ eta: request.parsed.eta ?? "", priority: request.parsed.priority ?? 0, request: this.info(request) }));
  }

  revokedIds(): string[] {
    return this.revoked.ids();
  }

  registered(): string[] {
    return [...this.app.tasks.keys()].filter((name) => !name.startsWith("celery.") && this.taskFor(name));
  }

  queryTask(ids: string[]): Record<string, [string, TaskInfo]> {
    const found: Record<string, [string, TaskInfo]> = {};
    const lists: [string, Iterable<WorkerRequest>][] = [
      ["active", this.activeRequests],
      ["reserved", this.reservedQueue],
      ["scheduled", this.scheduledRequests],
    ];
    for (const [state, requests] of lists) for (const request of requests) if (ids.includes(request.parsed.id)) found[request.parsed.id] = [state, this.info(request)];
    return found;
  }

  stats(): Record<string, unknown> {
    const usage = process.resourceUsage();
    return {
      total: Object.fromEntries(this.totals),
      pid: process.pid,
      clock: String(this.dispatcher.clock.value),
      uptime: Math.round((Date.now() - this.startedAt) / 1000),
      pool: { "max-concurrency": this.concurrency, processes: [process.pid], implementation: this.threadPool ? "celeriac:threads" : "celeriac:async", "put-guarded-by-semaphore": false, timeouts: [0, 0], writes: { total: this.processed } },
      broker: { transport: this.app.broker.driverType, url: this.app.broker.displayUrl },
      prefetch_count: this.prefetch,
      rusage: { utime: usage.userCPUTime / 1e6, stime: usage.systemCPUTime / 1e6, maxrss: usage.maxRSS, minflt: usage.minorPageFault, majflt: usage.majorPageFault, nswap: usage.swappedOut, inblock: usage.fsRead, oublock: usage.fsWrite, nvcsw: usage.voluntaryContextSwitches, nivcsw: usage.involuntaryContextSwitches },
    };
  }

  setRateLimit(taskName: string, rateLimit: string | number | null): boolean {
    if (!this.taskFor(taskName)) return false;
    const interval = rateInterval(rateLimit);
    if (interval === 0) this.rateLimits.delete(taskName);
    else this.rateLimits.set(taskName, { interval, next: 0 });
    this.overrideTask(taskName, { rateLimit });
    return true;
  }

  setTimeLimit(taskName: string, soft: number | null, hard: number | null): boolean {
    if (!this.taskFor(taskName)) return false;
    this.overrideTask(taskName, { softTimeLimit: soft, timeLimit: hard });
    return true;
  }

  resizePool(delta: number): void {
    this.concurrency = Math.max(1, this.concurrency + delta);
    this.drain();
  }

  async addConsumer(queue: string): Promise<void> {
    if (this.queues.includes(queue)) return;
    this.queues.push(queue);
    await this.restartConsumer();
  }

  async cancelConsumer(queue: string): Promise<void> {
    const index = this.queues.indexOf(queue);
    if (index === -1) return;
    this.queues.splice(index, 1);
    await this.restartConsumer();
  }

  // Consumers are per queue set in the Broker interface, so a queue change re-subscribes; what the
  // old consumer held unacked is restored by the broker and delivered again.
  private async restartConsumer(): Promise<void> {
    const old = this.consumer;
    this.consumer = this.queues.length > 0 ? await this.consumeTasks(this.queues) : null;
    await old?.cancel();
  }

  shutdown(): void {
    this.logger.warn("Got shutdown from remote");
    void this.stop();
  }

  heartbeat(): void {
    void this.sendWorkerEvent("worker-heartbeat");
  }

  setEvents(enabled: boolean): void {
    this.taskEvents = enabled;
  }

  activeQueues(): Record<string, unknown>[] {
    return this.queues.map((name) => ({ name, exchange: { name, type: "direct", durable: true, auto_delete: false }, routing_key: name, durable: true, exclusive: false, auto_delete: false, no_ack: false, queue_arguments: null, binding_arguments: null, consumer_arguments: null }));
  }

  /** Every command name this worker answers over celery.pidbox. */
  static readonly controlCommands = CONTROL_COMMANDS;
}

function revokedError(reason: string): CeleryError {
  const error = new CeleryError("TASK_REVOKED", reason);
  error.name = "TaskRevokedError";
  return error;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGUSR2: 12, SIGTERM: 15 };

function signalNumber(signal: string): number {
  const name = signal.toUpperCase().startsWith("SIG") ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
  return SIGNALS[name] ?? (Number(signal) || 15);
}
