// A RedisBackend under its own key prefix for one describe block, and a plain client to look at
// the raw keys; everything under the prefix is deleted afterwards.

import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { RedisBackend } from "../../src/celery/index";
import { REDIS_URL, uniqueName } from "./services";

/** Registers the hooks; `use` receives the client and the backend once connected. Returns the prefix. */
export function useRedisBackend(name: string, use: (redis: Redis, backend: RedisBackend) => void): string {
  const prefix = uniqueName(name);
  let redis: Redis | undefined;
  let backend: RedisBackend | undefined;
  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    backend = new RedisBackend(REDIS_URL, { keyPrefix: prefix });
    await backend.connect();
    use(redis, backend);
  });
  afterAll(async () => {
    if (!redis || !backend) return;
    const keys = await redis.keys(`${prefix}_*`);
    if (keys.length) await redis.del(...keys);
    await backend.close();
    redis.disconnect();
  });
  return prefix;
}
