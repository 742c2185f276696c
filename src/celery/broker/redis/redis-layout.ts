// Key and channel names of kombu's Redis transport and the transport options that shape them; mirrors kombu/transport/redis.py Channel.

/** kombu Redis transport options (`broker_transport_options`), camelCased. */
export interface RedisTransportOptions {
  /** Seconds before an unacked message is handed to another consumer (kombu default 3600). */
  visibilityTimeout?: number;
  /** Priority buckets; a message's priority is rounded down to one of them (default [0, 3, 6, 9]). */
  prioritySteps?: number[];
  /** Separator in priority list names and binding members (default "\x06\x16"). */
  sep?: string;
  /** true → `/<db>.` before channel names (default); false → none; a string → that prefix. */
  fanoutPrefix?: boolean | string;
  /** Append `/<routing key>` to fanout channels so subscribers can filter (default true). */
  fanoutPatterns?: boolean;
  /** Prepended verbatim to every key and channel (kombu `global_keyprefix`, default ""). */
  globalKeyprefix?: string;
  /** BRPOP timeout in seconds (kombu `polling_interval`, default 1). */
  pollingInterval?: number;
  /** Seconds between visibility-timeout sweeps (kombu sweeps about every 100 s). */
  unackedRestoreInterval?: number;
  /** Most entries restored per sweep (kombu `unacked_restore_limit`, default unlimited). */
  unackedRestoreLimit?: number;
  /** Lifetime in seconds of the sweep lock (kombu `unacked_mutex_expire`, default 300). */
  unackedMutexExpire?: number;
}

const DEFAULT_STEPS = [0, 3, 6, 9];
const MIN_PRIORITY = 0;
const MAX_PRIORITY = 9;

/** Resolved options plus every name the transport puts in Redis. */
export class RedisLayout {
  readonly db: number;
  readonly sep: string;
  readonly prioritySteps: readonly number[];
  readonly keyprefix: string;
  readonly fanoutPrefix: string;
  readonly fanoutPatterns: boolean;
  readonly visibilityTimeout: number;
  readonly pollingInterval: number;
  readonly unackedRestoreInterval: number;
  readonly unackedRestoreLimit: number | undefined;
  readonly unackedMutexExpire: number;

  constructor(db: number, options: RedisTransportOptions = {}) {
    this.db = db;
    this.sep = options.sep ?? "\x06\x16";
    this.prioritySteps = [...(options.prioritySteps ?? DEFAULT_STEPS)].sort((a, b) => a - b);
    this.keyprefix = options.globalKeyprefix ?? "";
    const fanoutPrefix = options.fanoutPrefix ?? true;
    this.fanoutPrefix = typeof fanoutPrefix === "string" ? fanoutPrefix : fanoutPrefix ? `/${db}.` : "";
    this.fanoutPatterns = options.fanoutPatterns ?? true;
    this.visibilityTimeout = options.visibilityTimeout ?? 3600;
    this.pollingInterval = options.pollingInterval ?? 1;
    this.unackedRestoreInterval = options.unackedRestoreInterval ?? 100;
    this.unackedRestoreLimit = options.unackedRestoreLimit;
    this.unackedMutexExpire = options.unackedMutexExpire ?? 300;
  }

  /** Any key, with the global prefix. */
  key(name: string): string {
    return this.keyprefix + name;
  }

  /** The priority step a message priority lands in: clamped to 0..9, rounded down (kombu `priority`). */
  priorityStep(priority: unknown): number {
    const n = Math.trunc(Number(priority ?? 0));
    const clamped = Number.isFinite(n) ? Math.max(MIN_PRIORITY, Math.min(MAX_PRIORITY, n)) : MIN_PRIORITY;
    let step = this.prioritySteps[0] ?? 0;
    for (const candidate of this.prioritySteps) if (candidate <= clamped) step = candidate;
    return step;
  }

  /** The list holding a queue's messages of one priority step (unprefixed: `celery\x06\x163`). */
  queueList(queue: string, step: number): string {
    return step ? `${queue}${this.sep}${step}` : queue;
  }

  /** Every list of a queue, in BRPOP order, prefixed. */
  queueKeys(queue: string): string[] {
    return this.prioritySteps.map((step) => this.key(this.queueList(queue, step)));
  }

  bindingKey(exchange: string): string {
    return this.key(`_kombu.binding.${exchange}`);
  }

  bindingMember(routingKey: string, pattern: string, queue: string): string {
    return [routingKey, pattern, queue].join(this.sep);
  }

  get unackedKey(): string {
    return this.key("unacked");
  }

  get unackedIndexKey(): string {
    return this.key("unacked_index");
  }

  get unackedMutexKey(): string {
    return this.key("unacked_mutex");
  }

  /** The pub/sub channel of a fanout publish, prefixed (kombu `_get_publish_topic`). */
  fanoutChannel(exchange: string, routingKey: string): string {
    const topic = routingKey && this.fanoutPatterns ? `${this.fanoutPrefix}${exchange}/${routingKey}` : `${this.fanoutPrefix}${exchange}`;
    return this.key(topic);
  }

  /** The exchange a received channel name belongs to (kombu `_receive_one`). */
  exchangeOfChannel(channel: string): string {
    let topic = channel.startsWith(this.keyprefix) ? channel.slice(this.keyprefix.length) : channel;
    if (topic.startsWith("/")) topic = topic.slice(topic.indexOf(".") + 1);
    return topic.split("/", 1)[0]!;
  }
}
