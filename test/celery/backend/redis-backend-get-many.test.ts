// RedisBackend.getMany against real Redis: one MGET, prefixes honoured, a malformed value isolated to its own slot.

import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { expect, it, vi } from "vitest";
import type { RedisBackend} from "../../../src/celery/index";
import { BackendError, type ResultMeta } from "../../../src/celery/index";
import { describeWith } from "../../support/services";
import { successMeta } from "./backend-conformance";
import { useRedisBackend } from "../../support/redis-backend-fixture";

await describeWith(["redis"], "RedisBackend.getMany", () => {
  let redis: Redis;
  let backend: RedisBackend;
  const prefix = useRedisBackend("celeriac-getmany", (client, connected) => ([redis, backend] = [client, connected]));

  it("reads every document under the key prefix in one MGET, a malformed value becoming its key's BackendError", async () => {
    const [good, broken, missing] = [randomUUID(), randomUUID(), randomUUID()];
    await backend.storeResult(successMeta(good, [1, 2], { name: "proj.add", args: [1, 1] }));
    await redis.set(backend.taskKey(broken), "{not json");
    const monitor = await redis.duplicate().monitor();
    const commands: string[] = [];
    // MONITOR sees every client of the server: keep only the commands that touch this test's keys.
    monitor.on("monitor", (_time: string, args: string[]) => {
      if (args.slice(1).some((arg) => arg.startsWith(prefix))) commands.push(args[0]!.toLowerCase());
    });
    const metas = await backend.getMany([good, broken, missing]);
    await vi.waitFor(() => expect(commands).toContain("mget"), { timeout: 5_000 });
    monitor.disconnect();
    expect(commands.filter((command) => command === "get" || command === "mget")).toEqual(["mget"]);
    const [first, second, third] = metas as [ResultMeta, BackendError, ResultMeta];
    expect(first).toMatchObject({ task_id: good, status: "SUCCESS", result: [1, 2], name: "proj.add", args: [1, 1] });
    expect(second).toBeInstanceOf(BackendError);
    expect(second.message).toContain(backend.taskKey(broken));
    expect(third).toMatchObject({ task_id: missing, status: "PENDING", result: null });
  });
});
