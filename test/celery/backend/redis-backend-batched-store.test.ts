// RedisBackend.storeResult coalescing: results stored together leave as one script call, keep Celery's SUCCESS guard per key, and fail only the key that is broken.

import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { expect, it, vi } from "vitest";
import type { RedisBackend} from "../../../src/celery/index";
import { BackendError, type ResultMeta } from "../../../src/celery/index";
import { describeWith } from "../../support/services";
import { successMeta } from "./backend-conformance";
import { useRedisBackend } from "../../support/redis-backend-fixture";

function startedMeta(taskId: string): ResultMeta {
  return { status: "STARTED", result: { pid: 1, hostname: "w@h" }, traceback: null, children: [], date_done: null, task_id: taskId };
}

await describeWith(["redis"], "RedisBackend batched stores", () => {
  let redis: Redis;
  let backend: RedisBackend;
  const prefix = useRedisBackend("celeriac-batch", (client, connected) => ([redis, backend] = [client, connected]));

  it("writes results stored in the same tick with one script call, each published on its own channel", async () => {
    const ids = Array.from({ length: 20 }, () => randomUUID());
    const keys = ids.map((id) => backend.taskKey(id));
    const subscriber = redis.duplicate();
    const published = new Map<string, string>();
    subscriber.on("message", (channel: string, text: string) => published.set(channel, text));
    await subscriber.subscribe(...keys);
    const monitor = await redis.duplicate().monitor();
    const calls: string[][] = [];
    monitor.on("monitor", (_time: string, args: string[]) => {
      if (args.some((arg) => arg.startsWith(prefix))) calls.push(args);
    });
    await Promise.all(ids.map((id, i) => backend.storeResult(successMeta(id, i))));
    await vi.waitFor(() => expect(published.size).toBe(ids.length));
    monitor.disconnect();
    subscriber.disconnect();
    // The client sent one EVAL/EVALSHA naming all 20 keys; Redis then logs the script's own commands.
    const scripts = calls.filter(([command]) => command === "eval" || command === "evalsha");
    expect(scripts).toHaveLength(1);
    expect(scripts[0]!.slice(2, 3)).toEqual(["20"]);
    for (const [i, key] of keys.entries()) {
      const stored = await redis.get(key);
      expect(JSON.parse(stored!)).toMatchObject({ status: "SUCCESS", result: i, task_id: ids[i] });
      expect(published.get(key)).toBe(stored);
      expect(await redis.ttl(key)).toBeGreaterThan(86390);
    }
  });

  it("keeps a stored SUCCESS in a batch where other keys are written", async () => {
    const [done, fresh] = [randomUUID(), randomUUID()];
    await backend.storeResult(successMeta(done, "first"));
    const before = await redis.get(backend.taskKey(done));
    await Promise.all([backend.storeResult(startedMeta(done)), backend.storeResult(startedMeta(fresh))]);
    expect(await redis.get(backend.taskKey(done))).toBe(before);
    expect(JSON.parse((await redis.get(backend.taskKey(fresh)))!)).toMatchObject({ status: "STARTED" });
  });

  it("fails only the result whose key holds another type, naming the key, and stores the rest of the batch", async () => {
    const [broken, fine] = [randomUUID(), randomUUID()];
    await redis.rpush(backend.taskKey(broken), "not a result");
    const [brokenOutcome, fineOutcome] = await Promise.allSettled([backend.storeResult(successMeta(broken, 1)), backend.storeResult(successMeta(fine, 2))]);
    expect(brokenOutcome.status).toBe("rejected");
    const error = (brokenOutcome as PromiseRejectedResult).reason as Error;
    expect(error).toBeInstanceOf(BackendError);
    expect(error.message).toContain(backend.taskKey(broken));
    expect(error.message).toMatch(/WRONGTYPE/);
    expect(fineOutcome.status).toBe("fulfilled");
    expect(JSON.parse((await redis.get(backend.taskKey(fine)))!)).toMatchObject({ status: "SUCCESS", result: 2 });
    expect(await redis.type(backend.taskKey(broken))).toBe("list");
  });
});
