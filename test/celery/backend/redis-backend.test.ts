import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { BackendError, createBackend, ImproperlyConfigured, RedisBackend, type ResultMeta } from "../../../src/celery/index";
import { describeWith, REDIS_URL } from "../../support/services";
import { backendConformance, successMeta } from "./backend-conformance";
import { useRedisBackend } from "../../support/redis-backend-fixture";

describe("createBackend", () => {
  it("refuses schemes it cannot serve, naming them", () => {
    for (const url of ["rpc://", "db+postgresql://localhost/x", "cache+memcached://127.0.0.1:11211/"]) {
      expect(() => createBackend(url)).toThrow(ImproperlyConfigured);
      expect(() => createBackend(url)).toThrow(url.split("://")[0]!);
    }
  });

  it("masks the password in the display URL", () => {
    expect(new RedisBackend("redis://:secret@127.0.0.1:6379/3").displayUrl).toBe("redis://:**@127.0.0.1:6379/3");
  });
});

await describeWith(["redis"], "RedisBackend", () => {
  backendConformance("redis", () => new RedisBackend(REDIS_URL));
  backendConformance("redis (list-mode chords)", () => new RedisBackend(REDIS_URL, { chordOrdered: false }), "completion");

  let redis: Redis;
  let backend: RedisBackend;
  const prefix = useRedisBackend("celeriac-test", (client, connected) => ([redis, backend] = [client, connected]));

  it("writes Celery's key with a day's TTL and publishes the same bytes on the key's channel", async () => {
    const taskId = randomUUID();
    const key = `${prefix}_celery-task-meta-${taskId}`;
    const sub = redis.duplicate();
    const published = new Promise<[string, string]>((resolve) => sub.once("message", (channel: string, text: string) => resolve([channel, text])));
    await sub.subscribe(key);
    const meta: ResultMeta = successMeta(taskId, 5, { name: "seedflow.add", args: [2, 3], kwargs: {}, worker: "celery@capture", retries: 0, queue: "celery" });
    await backend.storeResult(meta);
    const stored = await redis.get(key);
    expect(stored).toBe(
      `{"status": "SUCCESS", "result": 5, "traceback": null, "children": [], "date_done": "2026-11-24T07:14:08.518195", "name": "seedflow.add", "args": [2, 3], "kwargs": {}, "worker": "celery@capture", "retries": 0, "queue": "celery", "task_id": "${taskId}"}`,
    );
    expect(await published).toEqual([key, stored]);
    expect(await redis.ttl(key)).toBeGreaterThan(86390);
    sub.disconnect();
  });

  it("keeps the chord keys alive for a day while the chord is incomplete, and deletes them when it completes", async () => {
    const groupId = randomUUID();
    const key = (suffix: string) => `${prefix}_celery-taskset-meta-${groupId}${suffix}`;
    await backend.setChordSize(groupId, 2);
    await backend.chordPartReturn(groupId, { taskId: "a", state: "SUCCESS", result: 1, groupIndex: 0 });
    expect(await redis.get(key(".s"))).toBe("2");
    expect(await redis.zrange(key(".j"), 0, "-1", "WITHSCORES")).toEqual(['[1, "a", "SUCCESS", 1]', "0"]);
    for (const suffix of [".j", ".s"]) expect(await redis.ttl(key(suffix))).toBeGreaterThan(86390);
    const done = await backend.chordPartReturn(groupId, { taskId: "b", state: "FAILURE", result: { exc_type: "ValueError", exc_message: ["x"], exc_module: "builtins" }, groupIndex: 1 });
    expect(done.complete && done.parts.map((p) => p.state)).toEqual(["SUCCESS", "FAILURE"]);
    expect(await redis.exists(key(".j"), key(".s"), key(".t"))).toBe(0);
  });

  it("applies Celery's global_keyprefix rule: a separator is added unless the prefix ends in one", async () => {
    const taskId = randomUUID();
    const dotted = new RedisBackend(REDIS_URL, { keyPrefix: `${prefix}.` });
    await dotted.storeResult(successMeta(taskId, 1));
    expect(await redis.exists(`${prefix}.celery-task-meta-${taskId}`)).toBe(1);
    await dotted.forget(taskId);
    await dotted.close();
  });

  it("reports a stored value it cannot read as a BackendError naming the key, and keeps serving waiters", async () => {
    const taskId = randomUUID();
    const key = `${prefix}_celery-task-meta-${taskId}`;
    await redis.set(key, "not json");
    await expect(backend.getTaskMeta(taskId)).rejects.toThrow(BackendError);
    await expect(backend.getTaskMeta(taskId)).rejects.toThrow(key);

    const errors: Error[] = [];
    const metas: ResultMeta[] = [];
    let woke!: () => void;
    const done = new Promise<void>((resolve) => (woke = resolve));
    const unsubscribe = await backend.onResult(
      taskId,
      (meta) => {
        metas.push(meta);
        woke();
      },
      (error) => errors.push(error),
    );
    await redis.publish(key, '{"result": 1}');
    await backend.storeResult(successMeta(taskId, 2));
    await done;
    await unsubscribe();
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining(`${key} holds a result document without a "status"`)]);
    expect(metas.map((m) => m.result)).toEqual([2]);
  });
});
