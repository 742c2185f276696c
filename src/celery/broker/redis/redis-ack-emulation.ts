// Ack emulation over the `unacked` hash and `unacked_index` zset; mirrors kombu/transport/redis.py QoS.

import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { pyJsonStringify } from "../../protocol/py-json";
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

// redis-py's Lock.release: delete only if we still own the token.
const UNLOCK_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Resolves an exchange + routing key to queue names (kombu `Channel._lookup`). */
export type QueueLookup = (exchange: string, routingKey: string) => Promise<string[]>;

/**
 * Keeps delivered-but-unacked envelopes in Redis so that a crashed consumer's messages come back
 * after `visibilityTimeout`, byte-compatible with kombu so Python and TS workers restore each other's.
 */
export class RedisAckEmulation {
  constructor(
    private readonly client: Redis,
    private readonly layout: RedisLayout,
    private readonly lookup: QueueLookup,
  ) {}

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

  async ack(deliveryTag: string): Promise<void> {
    await this.client.multi().zrem(this.layout.unackedIndexKey, deliveryTag).hdel(this.layout.unackedKey, deliveryTag).exec();
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
