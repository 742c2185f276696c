// The Redis result backend, byte-compatible with Celery's; mirrors celery.backends.redis.RedisBackend.

import { Redis } from "ioredis";
import { BackendError } from "../../errors";
import type { ChordPart, ChordPartOutcome, ResultBackend, ResultMeta, ResultTuple } from "../backend";
import { decodeChordPart, decodeGroupMeta, decodeResultMeta, decodeResultMetaOrError, encodeChordPart, encodeGroupMeta, encodeResultMeta, pendingMeta } from "../result-meta";
import { CoalescedBatch } from "../../broker/redis/coalesced-batch";
import { ResultSubscriber } from "./result-subscriber";

export interface RedisBackendOptions {
  /** Seconds every written key lives (`result_expires`); 0 writes plain SET with no expiry. Default 86400. */
  resultExpires?: number;
  /**
   * `result_backend_transport_options.global_keyprefix` (Celery 5.3+): prepended to every key and
   * channel, with `_` appended unless it already ends in one of `: _ - .`.
   */
  keyPrefix?: string;
  /** `result_chord_ordered`: `.j` is a sorted set by group_index (true, default) or a list. */
  chordOrdered?: boolean;
}

// Celery's _store_result for a batch of documents in one step. Per key: GET the current document
// and keep a stored SUCCESS (Celery's deduplication guard against a lost or redelivered task),
// else RedisBackend.set: SETEX (SET when expiry is 0) + PUBLISH on the key's own channel. One
// script for every result written in the same tick instead of GET then MULTI per result; each
// document stays atomic, and the guard can no longer race another writer between GET and SET.
// KEYS: task keys; ARGV: expiry seconds ("0" = none), then one document per key. Returns per
// key 1 (written), 0 (kept a stored SUCCESS) or the error text of a failed GET (not a string key).
const STORE_RESULTS_LUA = `
local expires = ARGV[1]
local out = {}
for i, key in ipairs(KEYS) do
  local value = ARGV[i + 1]
  local current = redis.pcall('GET', key)
  local keep = false
  if type(current) == 'table' and current.err then
    out[i] = current.err
  else
    if current then
      local ok, meta = pcall(cjson.decode, current)
      if ok then
        keep = type(meta) == 'table' and meta.status == 'SUCCESS'
      else
        -- cjson refuses some of Python's JSON (NaN in a result): both writers put status first.
        keep = string.sub(current, 1, 21) == '{"status": "SUCCESS",'
      end
    end
    if keep then
      out[i] = 0
    else
      if expires == '0' then redis.call('SET', key, value) else redis.call('SETEX', key, expires, value) end
      redis.call('PUBLISH', key, value)
      out[i] = 1
    end
  end
end
return out`;

// restoreChordJoin in one step, so a member returning meanwhile is neither lost nor counted twice.
// KEYS: jkey, skey. ARGV: ordered ("1" zset / "0" list), size, expires, number of ids to drop,
// the ids, then score/member pairs to add. Members are Celery's `[1, task_id, state, result]`.
const RESTORE_CHORD_JOIN_LUA = `
local jkey, skey = KEYS[1], KEYS[2]
local ordered, size, expires, ndrop = ARGV[1] == "1", ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local drop = {}
for i = 1, ndrop do drop[ARGV[4 + i]] = true end
local members = ordered and redis.call("ZRANGE", jkey, 0, -1) or redis.call("LRANGE", jkey, 0, -1)
for _, member in ipairs(members) do
  local ok, doc = pcall(cjson.decode, member)
  if ok and type(doc) == "table" and drop[doc[2]] then
    if ordered then redis.call("ZREM", jkey, member) else redis.call("LREM", jkey, 0, member) end
  end
end
for i = 5 + ndrop, #ARGV, 2 do
  if ordered then redis.call("ZADD", jkey, ARGV[i], ARGV[i + 1]) else redis.call("RPUSH", jkey, ARGV[i + 1]) end
end
if expires > 0 then
  redis.call("SETEX", skey, expires, size)
  redis.call("EXPIRE", jkey, expires)
else
  redis.call("SET", skey, size)
end
return 1
`;

const TASK_PREFIX = "celery-task-meta-";
const GROUP_PREFIX = "celery-taskset-meta-";

function normalizePrefix(prefix: string): string {
  return prefix === "" || /[:_\-.]$/.test(prefix) ? prefix : `${prefix}_`;
}

/** The URL with its password replaced by `**`, as kombu's maskpass. */
function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "**";
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ":**@");
  }
}

// ioredis replies to MULTI…EXEC with [error, value] pairs; the first error fails the whole call.
function execValues(replies: [Error | null, unknown][] | null, what: string): unknown[] {
  if (replies === null) throw new BackendError(`${what}: the Redis transaction was aborted`);
  return replies.map(([error, value]) => {
    if (error) throw new BackendError(`${what}: ${error.message}`, { cause: error });
    return value;
  });
}

/**
 * Stores and reads task results in Redis exactly as Celery's RedisBackend does (keys, JSON bytes,
 * SETEX+PUBLISH transactions, chord counters), so Python and TypeScript clients and workers can
 * share one result database.
 */
export class RedisBackend implements ResultBackend {
  readonly displayUrl: string;
  readonly nativeJoin = true;
  private readonly client: Redis;
  private readonly subscriber: ResultSubscriber;
  private readonly expires: number;
  private readonly prefix: string;
  private readonly chordOrdered: boolean;
  // Results stored in the same tick (tasks finishing together) go out as one script call.
  private readonly stores: CoalescedBatch<[string, string], number | string>;

  /** @param url `redis://[:password@]host[:port][/db]` or `rediss://…` for TLS. */
  constructor(url: string, options: RedisBackendOptions = {}) {
    this.displayUrl = maskUrl(url);
    this.expires = options.resultExpires ?? 86400;
    this.prefix = normalizePrefix(options.keyPrefix ?? "");
    this.chordOrdered = options.chordOrdered ?? true;
    // Auto-pipelining: the results of tasks finishing together leave in one write and one round
    // trip instead of one each, which is most of a busy worker's Redis traffic.
    this.client = new Redis(url, { lazyConnect: true, enableAutoPipelining: true });
    // Failures reach callers through the rejected commands; the event must not crash the process.
    this.client.on("error", () => undefined);
    this.client.defineCommand("celeriacStoreResults", { lua: STORE_RESULTS_LUA });
    const storeResults = (this.client as unknown as Record<string, (...args: (string | number)[]) => Promise<(number | string)[]>>).celeriacStoreResults!.bind(this.client);
    this.stores = new CoalescedBatch<[string, string], number | string>((items) => storeResults(items.length, ...items.map(([key]) => key), String(this.expires), ...items.map(([, value]) => value)));
    this.subscriber = new ResultSubscriber(
      () => this.client.duplicate(),
      (channel) => this.client.get(channel),
    );
  }

  async connect(): Promise<void> {
    if (this.client.status === "wait") {
      await this.client.connect().catch((error: unknown) => {
        throw new BackendError(`cannot connect to the result backend ${this.displayUrl}: ${(error as Error).message}`, { cause: error });
      });
    }
  }

  async close(): Promise<void> {
    await this.subscriber.close();
    if (this.client.status !== "end" && this.client.status !== "wait") await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }

  /** `celery-task-meta-<id>` (with the key prefix): the key and the pub/sub channel of a task's result. */
  taskKey(taskId: string): string {
    return `${this.prefix}${TASK_PREFIX}${taskId}`;
  }

  /** `celery-taskset-meta-<gid><suffix>`: a saved group, or a chord counter with `.j`, `.s` or `.t`. */
  groupKey(groupId: string, suffix = ""): string {
    return `${this.prefix}${GROUP_PREFIX}${groupId}${suffix}`;
  }

  async getTaskMeta(taskId: string): Promise<ResultMeta> {
    const key = this.taskKey(taskId);
    const text = await this.run(`GET ${key}`, () => this.client.get(key));
    return text === null ? pendingMeta(taskId) : decodeResultMeta(text, key, taskId);
  }

  async getMany(taskIds: readonly string[]): Promise<(ResultMeta | BackendError)[]> {
    if (taskIds.length === 0) return [];
    const keys = taskIds.map((taskId) => this.taskKey(taskId));
    const texts = await this.run(`MGET of ${keys.length} result keys`, () => this.client.mget(keys));
    return texts.map((text, i) => decodeResultMetaOrError(text, keys[i]!, taskIds[i]!));
  }

  async scanTaskIds(cursor: string, count: number): Promise<{ cursor: string; ids: string[] }> {
    const pattern = `${this.prefix.replace(/[*?[\]\\]/g, "\\$&")}${TASK_PREFIX}*`;
    const skip = this.prefix.length + TASK_PREFIX.length;
    const [next, keys] = await this.run(`SCAN ${cursor} MATCH ${pattern}`, () => this.client.scan(cursor, "MATCH", pattern, "COUNT", count));
    return { cursor: next, ids: keys.map((key) => key.slice(skip)) };
  }

  async storeResult(meta: ResultMeta): Promise<void> {
    const key = this.taskKey(meta.task_id);
    // Celery's deduplication guard (a stored SUCCESS is never overwritten) runs inside the script.
    const outcome = await this.run(`SET ${key}`, () => this.stores.add([key, encodeResultMeta(meta)]));
    if (typeof outcome === "string") throw new BackendError(`result backend ${this.displayUrl}: GET ${key} failed: ${outcome}`);
  }

  async onResult(taskId: string, listener: (meta: ResultMeta) => void, onError?: (error: Error) => void): Promise<() => Promise<void>> {
    const key = this.taskKey(taskId);
    return this.run(`SUBSCRIBE ${key}`, () =>
      this.subscriber.listen(key, (text) => {
        let meta: ResultMeta;
        try {
          meta = decodeResultMeta(text, key, taskId);
        } catch (error) {
          onError?.(error as Error);
          return;
        }
        listener(meta);
      }),
    );
  }

  async forget(taskId: string): Promise<void> {
    const key = this.taskKey(taskId);
    await this.run(`DEL ${key}`, () => this.client.del(key));
  }

  async saveGroup(groupId: string, result: ResultTuple): Promise<void> {
    await this.set(this.groupKey(groupId), encodeGroupMeta(result));
  }

  async restoreGroup(groupId: string): Promise<ResultTuple | null> {
    const key = this.groupKey(groupId);
    const text = await this.run(`GET ${key}`, () => this.client.get(key));
    return text === null ? null : decodeGroupMeta(text, key);
  }

  async deleteGroup(groupId: string): Promise<void> {
    const key = this.groupKey(groupId);
    await this.run(`DEL ${key}`, () => this.client.del(key));
  }

  async setChordSize(groupId: string, size: number): Promise<void> {
    await this.set(this.groupKey(groupId, ".s"), String(size));
  }

  async incrementChordSize(groupId: string, by: number): Promise<void> {
    const key = this.groupKey(groupId, ".t");
    await this.run(`INCRBY ${key}`, () => this.client.incrby(key, by));
  }

  async chordPartReturn(groupId: string, part: ChordPart): Promise<ChordPartOutcome> {
    const jkey = this.groupKey(groupId, ".j");
    const tkey = this.groupKey(groupId, ".t");
    const skey = this.groupKey(groupId, ".s");
    const member = encodeChordPart(part);
    const pipe = this.client.multi();
    if (this.chordOrdered) pipe.zadd(jkey, part.groupIndex ?? "+inf", member).zcount(jkey, "-inf", "+inf");
    else pipe.rpush(jkey, member).llen(jkey);
    pipe.get(tkey).get(skey);
    if (this.expires) pipe.expire(jkey, this.expires).expire(tkey, this.expires).expire(skey, this.expires);
    const what = `chord part of ${groupId}`;
    const [, readyCount, extra, size] = execValues(await this.run(what, () => pipe.exec()), what);
    if (!size) return { complete: false };
    const total = Number(size) + Number(extra ?? 0);
    if (Number(readyCount) !== total) return { complete: false };
    const read = this.chordOrdered ? this.client.multi().zrange(jkey, 0, "-1") : this.client.multi().lrange(jkey, 0, total);
    const [members] = execValues(await this.run(what, () => read.exec()), what) as [string[]];
    const cleanup = this.client.multi().del(jkey).del(tkey).del(skey);
    execValues(await this.run(what, () => cleanup.exec()), what);
    return { complete: true, parts: members.map((text) => decodeChordPart(text, jkey)) };
  }

  async restoreChordJoin(groupId: string, parts: readonly ChordPart[], size: number, drop: readonly string[] = []): Promise<void> {
    const ids = [...new Set([...drop, ...parts.map((part) => part.taskId)])];
    const added = parts.flatMap((part) => [part.groupIndex === null ? "+inf" : String(part.groupIndex), encodeChordPart(part)]);
    const keys = [this.groupKey(groupId, ".j"), this.groupKey(groupId, ".s")];
    const argv = [this.chordOrdered ? "1" : "0", String(size), String(this.expires), String(ids.length), ...ids, ...added];
    await this.run(`restore chord join of ${groupId}`, () => this.client.eval(RESTORE_CHORD_JOIN_LUA, keys.length, ...keys, ...argv));
  }

  // RedisBackend.set: SETEX (or SET without expiry) and PUBLISH on the key's own channel, in one MULTI.
  private async set(key: string, value: string): Promise<void> {
    const pipe = this.client.multi();
    if (this.expires) pipe.setex(key, this.expires, value);
    else pipe.set(key, value);
    pipe.publish(key, value);
    execValues(await this.run(`SET ${key}`, () => pipe.exec()), `SET ${key}`);
  }

  private async run<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      if (error instanceof BackendError) throw error;
      throw new BackendError(`result backend ${this.displayUrl}: ${what} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}
