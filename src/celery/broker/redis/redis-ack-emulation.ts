// Ack emulation over the `unacked` hash and `unacked_index` zset; mirrors kombu/transport/redis.py QoS.

import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { pyJsonStringify } from "../../protocol/py-json";
import { CoalescedBatch } from "./coalesced-batch";
import type { RedisLayout } from "./redis-layout";

// Check-and-set restore: kombu does HGET under WATCH, then MULTI; comparing the stored value inside
// one script gives the same guarantee (nobody else restored or acked it meanwhile) without a
// dedicated WATCH connection. KEYS: unacked, unacked_index, target lists…; ARGV: tag, stored
// value, new envelope, "L" (LPUSH, back of queue) or "R" (RPUSH, consumed next).
const RESTORE_LUA = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
for i = 3, #KEYS do
  if ARGV[4] == 'L' then redis.call('LPUSH', KEYS[i], ARGV[3]) else redis.call('RPUSH', KEYS[i], ARGV[3]) end
end
return 1`;

// Several pops in one round trip, each recorded as kombu's QoS.append records it, in the same
// atomic step (kombu's BRPOP-then-append leaves a window where a crash loses the message; this
// has none). KEYS: unacked, unacked_index, the lists in BRPOP order; ARGV: most items, time()
// score. Returns flat [list, raw, tracked] triples. An item is left untracked (0) when its tag,
// exchange or routing key is missing or not printable ASCII: the caller records those itself,
// so the stored text stays exactly what Python's json.dumps writes.
const RESERVE_LUA = `
local limit = tonumber(ARGV[1])
local out = {}
local function pystr(value)
  if type(value) ~= 'string' or not string.find(value, '^[ -~]*$') then return nil end
  return '"' .. (string.gsub(value, '[\\\\"]', '\\\\%0')) .. '"'
end
local n = 0
for i = 3, #KEYS do
  while n < limit do
    local raw = redis.call('RPOP', KEYS[i])
    if not raw then break end
    n = n + 1
    local tracked = 0
    local ok, envelope = pcall(cjson.decode, raw)
    if ok and type(envelope) == 'table' and type(envelope.properties) == 'table' then
      local props = envelope.properties
      local info = type(props.delivery_info) == 'table' and props.delivery_info or {}
      local tag = props.delivery_tag
      local exchange, routingKey = pystr(info.exchange or ''), pystr(info.routing_key or '')
      if type(tag) == 'string' and tag ~= '' and exchange and routingKey then
        redis.call('ZADD', KEYS[2], ARGV[2], tag)
        redis.call('HSET', KEYS[1], tag, '[' .. raw .. ', ' .. exchange .. ', ' .. routingKey .. ']')
        tracked = 1
      end
    end
    out[#out + 1] = KEYS[i]
    out[#out + 1] = raw
    out[#out + 1] = tracked
  end
  if n >= limit then break end
end
return out`;

/** One item taken off a queue list by `reserve`. */
export interface ReservedItem {
  /** The list it came from (prefixed key). */
  key: string;
  raw: string;
  /** Already recorded in `unacked`/`unacked_index` under its envelope's delivery tag. */
  tracked: boolean;
}

// redis-py's Lock.release: delete only if we still own the token.
const UNLOCK_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Resolves an exchange + routing key to queue names (kombu `Channel._lookup`). */
export type QueueLookup = (exchange: string, routingKey: string) => Promise<string[]>;

/**
 * Keeps delivered-but-unacked envelopes in Redis so that a crashed consumer's messages come back
 * after `visibilityTimeout`, byte-compatible with kombu so Python and TS workers restore each other's.
 */
export class RedisAckEmulation {
  // Acks issued close together leave as one MULTI ZREM … HDEL … with every tag (see ack()).
  private readonly acks = new CoalescedBatch<string>((tags) => this.removeFromIndices(tags));
  private readonly reserveScript: (numKeys: number, ...args: (string | number)[]) => Promise<unknown>;

  constructor(
    private readonly client: Redis,
    private readonly layout: RedisLayout,
    private readonly lookup: QueueLookup,
  ) {
    // defineCommand: EVAL once per connection, EVALSHA after, and it joins auto-pipelines.
    client.defineCommand("celeriacReserve", { lua: RESERVE_LUA });
    this.reserveScript = (client as unknown as Record<string, typeof this.reserveScript>).celeriacReserve!.bind(client);
  }

  /**
   * Pops up to `count` items from `keys` (first non-empty list first, as BRPOP picks) and records
   * each in the unacked bookkeeping in the same script, so a worker with prefetch room fills it
   * in one round trip. Never blocks: an empty result means every list was empty.
   */
  async reserve(keys: readonly string[], count: number): Promise<ReservedItem[]> {
    const reply = (await this.reserveScript(keys.length + 2, this.layout.unackedKey, this.layout.unackedIndexKey, ...keys, count, String(Date.now() / 1000))) as (string | number)[];
    const items: ReservedItem[] = [];
    for (let i = 0; i < reply.length; i += 3) items.push({ key: String(reply[i]), raw: String(reply[i + 1]), tracked: reply[i + 2] === 1 });
    return items;
  }

  /** Records a delivery: MULTI ZADD unacked_index <now> <tag>, HSET unacked <tag> [envelope, exchange, rk], EXEC. */
  async append(deliveryTag: string, rawEnvelope: string, exchange: string, routingKey: string): Promise<void> {
    // The stored text embeds the envelope verbatim: what Python's dumps([loads(raw), ex, rk]) writes.
    const stored = `[${rawEnvelope}, ${pyJsonStringify(exchange)}, ${pyJsonStringify(routingKey)}]`;
    await this.client
      .multi()
      .zadd(this.layout.unackedIndexKey, String(Date.now() / 1000), deliveryTag)
      .hset(this.layout.unackedKey, deliveryTag, stored)
      .exec();
  }

  /**
   * kombu's `_remove_from_indices`: ZREM unacked_index + HDEL unacked in one MULTI. Acks arriving
   * together (a burst of tasks finishing) share one MULTI with variadic ZREM/HDEL: the same
   * atomicity per tag, one round trip for all.
   */
  ack(deliveryTag: string): Promise<void> {
    return this.acks.add(deliveryTag);
  }

  private async removeFromIndices(tags: string[]): Promise<void[]> {
    const replies = await this.client.multi().zrem(this.layout.unackedIndexKey, ...tags).hdel(this.layout.unackedKey, ...tags).exec();
    const failed = replies?.find(([error]) => error);
    if (failed) throw failed[0];
    return tags.map(() => undefined);
  }

  /**
   * Puts an unacked message back through its exchange/routing key with the redelivered flags
   * (headers.redelivered, properties.delivery_info.redelivered). `leftmost` = LPUSH (reject with
   * requeue: back of the queue); otherwise RPUSH (restore: consumed next). Like kombu it targets
   * the queue's base list, whatever the priority. Returns whether this call restored it.
   */
  async restoreByTag(deliveryTag: string, leftmost = false): Promise<boolean> {
    const stored = await this.client.hget(this.layout.unackedKey, deliveryTag);
    if (stored === null) {
      await this.ack(deliveryTag);
      return false;
    }
    let envelope: Record<string, unknown>;
    let exchange: string;
    let routingKey: string;
    try {
      [envelope, exchange, routingKey] = JSON.parse(stored) as [Record<string, unknown>, string, string];
      (envelope.headers as Record<string, unknown>).redelivered = true;
      ((envelope.properties as Record<string, unknown>).delivery_info as Record<string, unknown>).redelivered = true;
    } catch (error) {
      // kombu logs "Could not restore message" and drops the index entries; so do we, loudly.
      await this.ack(deliveryTag);
      throw new Error(`unacked entry ${deliveryTag} could not be restored (${(error as Error).message}): ${stored.slice(0, 200)}`, { cause: error });
    }
    const queues = await this.lookup(exchange, routingKey);
    const keys = [this.layout.unackedKey, this.layout.unackedIndexKey, ...queues.map((queue) => this.layout.key(queue))];
    const restored = await this.client.eval(RESTORE_LUA, keys.length, ...keys, deliveryTag, stored, pyJsonStringify(envelope), leftmost ? "L" : "R");
    return restored === 1;
  }

  /**
   * The visibility-timeout sweep (kombu `restore_visible`): under the `unacked_mutex` lock, every
   * entry older than the timeout is restored. Returns how many were restored; 0 when another
   * consumer holds the lock.
   */
  async restoreVisible(): Promise<number> {
    const token = randomUUID();
    const locked = await this.client.set(this.layout.unackedMutexKey, token, "PX", this.layout.unackedMutexExpire * 1000, "NX");
    if (locked === null) return 0;
    try {
      const ceiling = Date.now() / 1000 - this.layout.visibilityTimeout;
      const limit = this.layout.unackedRestoreLimit;
      const tags =
        limit === undefined
          ? await this.client.zrevrangebyscore(this.layout.unackedIndexKey, ceiling, 0)
          : await this.client.zrevrangebyscore(this.layout.unackedIndexKey, ceiling, 0, "LIMIT", 0, limit);
      let restored = 0;
      for (const tag of tags) if (await this.restoreByTag(tag)) restored++;
      return restored;
    } finally {
      await this.client.eval(UNLOCK_LUA, 1, this.layout.unackedMutexKey, token);
    }
  }
}
