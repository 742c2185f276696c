// The producer app: task registry, routing and sendTask; mirrors celery.app.base.Celery.send_task and celery.app.amqp.

import { createHash, randomUUID } from "node:crypto";
import { hostname as osHostname } from "node:os";
import { DisabledBackend } from "../backend/disabled-backend";
import type { ResultBackend } from "../backend/backend";
import type { Broker, PublishTarget } from "../broker/broker";
import type { CanvasApp } from "../canvas/canvas-app";
import { Control } from "../control/control";
import { ImproperlyConfigured } from "../errors";
import type { Message } from "../protocol/message";
import { parsePyIsoformat } from "../protocol/py-isoformat";
import type { SignatureDict } from "../protocol/signature-dict";
import { buildTaskMessage } from "../protocol/task-message";
import type { TaskOptions } from "../protocol/task-options";
import { AsyncResult } from "../result/async-result";
import { GroupResult } from "../result/group-result";
import type { AnyResult } from "../result/result-tuple";
import { Task, type TaskImplementation } from "./task";

/** Where `task_routes` sends a task. */
export interface TaskRoute {
  queue?: string;
  routing_key?: string;
  exchange?: string;
  priority?: number;
}

/** Celery's `task_routes`: exact names or globs (`"seedflow.*"`), first match wins; or a function. */
export type TaskRoutes = Record<string, TaskRoute> | ((name: string) => TaskRoute | undefined);

export interface CeleryConfig {
  /** The app's main name (Celery's `main`); informational. */
  name?: string;
  broker: Broker;
  /** Without one, results are still returned but reading them throws ImproperlyConfigured. */
  backend?: ResultBackend;
  taskRoutes?: TaskRoutes;
  /** `task_default_queue`, "celery". */
  defaultQueue?: string;
  /** `task_default_priority`: used when neither the call nor a route sets one. */
  defaultPriority?: number;
  /** Host part of `origin` (`gen<pid>@<hostname>`); defaults to the OS hostname. */
  hostname?: string;
  /** Encode Dates/Buffers as kombu >= 5.3 typed wrappers (for Celery 5.3+ peers). */
  typedJson?: boolean;
}

export type PublishListener = (message: Message, target: PublishTarget) => void;

// uuid.NAMESPACE_OID: kombu derives an app's oid as uuid3(NAMESPACE_OID, "<node>-<pid>-<thread>-<id>").
const NAMESPACE_OID = Buffer.from("6ba7b8129dad11d180b400c04fd430c8", "hex");

function uuid3(name: string): string {
  const hash = createHash("md5").update(NAMESPACE_OID).update(name).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x30;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

function routeLookup(routes: TaskRoutes | undefined): (name: string) => TaskRoute | undefined {
  if (!routes) return () => undefined;
  if (typeof routes === "function") return routes;
  const globs = Object.entries(routes)
    .filter(([pattern]) => /[*?]/.test(pattern))
    .map(([pattern, route]) => [globToRegExp(pattern), route] as const);
  return (name) => (Object.prototype.hasOwnProperty.call(routes, name) ? routes[name] : globs.find(([re]) => re.test(name))?.[1]);
}

function asList(value: SignatureDict | SignatureDict[] | undefined | null): SignatureDict[] | null {
  if (value === undefined || value === null) return null;
  return Array.isArray(value) ? value : [value];
}

// Celery dismisses options passed as None, so that they do not hide route or task defaults.
function defined(options: TaskOptions): TaskOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined && value !== null)) as TaskOptions;
}

/**
 * A Celery app on the producer side. Sends protocol v2 task messages byte-identical to Celery
 * 5.2.6, routes them (call options > task definition > `taskRoutes` > default queue), and hands
 * out AsyncResult/GroupResult bound to its backend. Implements {@link CanvasApp}, so signatures,
 * chains, groups and chords built from its tasks apply through it.
 */
export class Celery implements CanvasApp {
  readonly name: string;
  readonly broker: Broker;
  readonly backend: ResultBackend;
  readonly defaultQueue: string;
  readonly defaultPriority: number | undefined;
  readonly hostname: string;
  readonly typedJson: boolean;
  /** This producer's id: `reply_to` of every message and of frozen signatures (a UUID3, like kombu's). */
  readonly oid: string;
  /** `gen<pid>@<hostname>`, the `origin` header (celery.utils.nodenames.anon_nodename). */
  readonly origin: string;
  /** Tasks defined on this app, by name; a worker looks implementations up here. */
  readonly tasks = new Map<string, Task<never, unknown>>();
  readonly #route: (name: string) => TaskRoute | undefined;
  readonly #declared = new Map<string, Promise<void>>();
  readonly #listeners: PublishListener[] = [];
  #control: Control | undefined;

  constructor(config: CeleryConfig) {
    this.name = config.name ?? "__main__";
    this.broker = config.broker;
    this.backend = config.backend ?? new DisabledBackend();
    this.defaultQueue = config.defaultQueue ?? "celery";
    this.defaultPriority = config.defaultPriority;
    this.hostname = config.hostname ?? osHostname();
    this.typedJson = config.typedJson ?? false;
    this.origin = `gen${process.pid}@${this.hostname}`;
    this.oid = uuid3(`${randomUUID()}-${process.pid.toString(16)}`);
    this.#route = routeLookup(config.taskRoutes);
  }

  async connect(): Promise<void> {
    await this.broker.connect();
    await this.backend.connect();
  }

  async close(): Promise<void> {
    await this.broker.close();
    await this.backend.close();
  }

  /** Remote control of the workers on this app's broker (Celery's `app.control`), made on first use; `purge()` empties the default queue. */
  get control(): Control {
    this.#control ??= new Control(this.broker, { taskQueues: [this.defaultQueue] });
    return this.#control;
  }

  /** A fresh task/group id (UUID4). */
  newId(): string {
    return randomUUID();
  }

  /**
   * Defines (or looks up) a task. Without an implementation this is a producer-side handle for a
   * task some worker runs: `app.task<[number, number], number>("proj.add")`. With one, the
   * function is stored for a worker of this app to run; the app never calls it.
   */
  task<Args extends unknown[] = unknown[], Result = unknown>(name: string, options?: TaskOptions): Task<Args, Result>;
  task<Args extends unknown[], Result>(name: string, implementation: TaskImplementation<Args, Result>, options?: TaskOptions): Task<Args, Awaited<Result>>;
  task(name: string, implementationOrOptions?: TaskImplementation<unknown[], unknown> | TaskOptions, maybeOptions?: TaskOptions): Task<unknown[], unknown> {
    const implementation = typeof implementationOrOptions === "function" ? implementationOrOptions : undefined;
    const options = (typeof implementationOrOptions === "function" ? maybeOptions : implementationOrOptions) ?? {};
    const existing = this.tasks.get(name) as Task<unknown[], unknown> | undefined;
    if (existing?.implementation && implementation && existing.implementation !== implementation) {
      throw new ImproperlyConfigured(`Task ${JSON.stringify(name)} already has an implementation on this app: give the new one another name.`);
    }
    if (existing && !implementation && Object.keys(options).length === 0) return existing;
    const task = new Task<unknown[], unknown>(this, name, implementation ?? existing?.implementation, { ...existing?.options, ...options });
    this.tasks.set(name, task as Task<never, unknown>);
    return task;
  }

  /** Calls `listener` after every successful publish (message capture, metrics). */
  onPublish(listener: PublishListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const index = this.#listeners.indexOf(listener);
      if (index !== -1) this.#listeners.splice(index, 1);
    };
  }

  // celery.app.amqp send_task_message: a direct queue is published through the default
  // exchange "" with the queue name as routing key unless both exchange and routing key are set.
  #target(name: string, options: TaskOptions): { target: PublishTarget; queue: string | undefined; priority: number | undefined } {
    const route = this.#route(name);
    const exchange = options.exchange ?? route?.exchange;
    const routingKey = options.routing_key ?? route?.routing_key;
    let queue = options.queue ?? route?.queue;
    if (queue === undefined && (route === undefined || exchange === undefined)) queue = this.defaultQueue;
    const priority = options.priority ?? route?.priority ?? this.defaultPriority;
    if (exchange && routingKey) return { target: { exchange, routingKey }, queue, priority };
    if (queue === undefined) {
      throw new ImproperlyConfigured(`Route for task ${JSON.stringify(name)} names exchange ${JSON.stringify(exchange)} without a routing_key or queue: give it one.`);
    }
    return { target: { exchange: "", routingKey: queue }, queue, priority };
  }

  #declare(queue: string): Promise<void> {
    let declared = this.#declared.get(queue);
    if (!declared) {
      declared = this.broker.declareQueue({ name: queue });
      this.#declared.set(queue, declared);
      declared.catch(() => this.#declared.delete(queue));
    }
    return declared;
  }

  /**
   * Publishes one task message (Celery's `send_task`). Options use Celery's names: `task_id`,
   * `countdown`/`eta`, `expires` (seconds, Date or ISO string; also sets the `expiration`
   * property), `time_limit`/`soft_time_limit`, `queue`/`exchange`/`routing_key`/`priority`,
   * `link`/`link_error`/`chain`/`chord`, `group_id`/`group_index`, `root_id`/`parent_id`,
   * `shadow`, `headers`, `ignore_result`, `retries`, `reply_to`.
   */
  async sendTask(name: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: TaskOptions = {}): Promise<AsyncResult> {
    const merged: TaskOptions = { ...defined(this.tasks.get(name)?.options ?? {}), ...defined(options) };
    const id = merged.task_id ?? this.newId();
    const { target, queue, priority } = this.#target(name, merged);
    const now = Date.now();
    const eta = merged.countdown ? new Date(now + merged.countdown * 1000) : merged.eta;
    let expires: string | Date | undefined;
    let expiration: number | undefined;
    if (typeof merged.expires === "number") {
      expires = new Date(now + merged.expires * 1000);
      expiration = merged.expires;
    } else if (merged.expires !== undefined) {
      expires = merged.expires;
      const at = typeof expires === "string" ? parsePyIsoformat(expires, "expires option") : expires;
      expiration = (at.getTime() - now) / 1000;
    }
    const message = buildTaskMessage({
      id,
      task: name,
      args,
      kwargs,
      callbacks: asList(merged.link),
      errbacks: asList(merged.link_error),
      chain: merged.chain ?? null,
      chord: merged.chord ?? null,
      shadow: merged.shadow,
      eta,
      expires,
      group: merged.group_id,
      group_index: merged.group_index,
      retries: merged.retries,
      time_limit: merged.time_limit,
      soft_time_limit: merged.soft_time_limit,
      root_id: merged.root_id,
      parent_id: merged.parent_id,
      origin: this.origin,
      ignore_result: merged.ignore_result,
      headers: merged.headers,
      reply_to: merged.reply_to ?? this.oid,
      priority,
      expiration,
      typedJson: this.typedJson,
    });
    return this.sendMessage(message, target, queue);
  }

  /**
   * Publishes a task message that is already built (Celery's `amqp.send_task_message`): declares
   * `queue` when given, publishes to `target` and tells the publish listeners, as `sendTask` does.
   * For re-sending a captured message exactly as it was, with only the headers the caller changed.
   */
  async sendMessage(message: Message, target: PublishTarget, queue?: string): Promise<AsyncResult> {
    const id = message.headers.id;
    if (typeof id !== "string" || id === "") throw new ImproperlyConfigured("The message has no task id header: build it with buildTaskMessage.");
    if (queue !== undefined) await this.#declare(queue);
    await this.broker.publish(message, target);
    for (const listener of [...this.#listeners]) listener(message, target);
    return this.asyncResult(id);
  }

  /** Stores a chord's expected header size in the backend (Redis `<group key>.s`). */
  setChordSize(groupId: string, size: number): Promise<void> {
    return this.backend.setChordSize(groupId, size);
  }

  asyncResult(id: string, parent: AnyResult | null = null): AsyncResult {
    return new AsyncResult(id, this.backend, parent);
  }

  groupResult(id: string, results: AnyResult[], parent: AnyResult | null = null): GroupResult {
    return new GroupResult(id, results, this.backend, parent);
  }
}
