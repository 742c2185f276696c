// Picks a result backend implementation from a URL; mirrors celery.app.backends.by_url.

import { ImproperlyConfigured } from "../errors";
import type { ResultBackend } from "./backend";
import { MemoryBackend, MemoryStore } from "./memory/memory-backend";
import { RedisBackend, type RedisBackendOptions } from "./redis/redis-backend";

export type CreateBackendOptions = RedisBackendOptions;

// `memory://` is process-wide in Celery (one dict for the process): every backend created from the
// same URL sees the same results, so an in-process client and worker can meet.
const memoryStores = new Map<string, MemoryStore>();

/**
 * Builds the backend a `result_backend` URL names: `redis://` and `rediss://` (RedisBackend) or
 * `memory://` (MemoryBackend). Anything else throws ImproperlyConfigured naming the scheme.
 */
export function createBackend(url: string, options: CreateBackendOptions = {}): ResultBackend {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case "redis":
    case "rediss":
      return new RedisBackend(url, options);
    case "memory": {
      let store = memoryStores.get(url);
      if (!store) {
        store = new MemoryStore();
        memoryStores.set(url, store);
      }
      return new MemoryBackend({ store, ...(options.resultExpires === undefined ? {} : { resultExpires: options.resultExpires }) });
    }
    case undefined:
      throw new ImproperlyConfigured(`result backend URL ${JSON.stringify(url)} has no scheme: use redis://host:6379/0, rediss://… or memory://`);
    default:
      throw new ImproperlyConfigured(`result backend ${scheme}:// is not supported by Celeriac (only redis://, rediss:// and memory://); point result_backend at Redis to share results with Celery`);
  }
}
