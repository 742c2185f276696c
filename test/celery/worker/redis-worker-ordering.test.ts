// The worker's hot path on real Redis keeps Celery's order: an early ack and the STARTED document land before the task body runs, acksLate keeps the message unacked until after it.

import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Celery, RedisBackend, RedisBroker } from "../../../src/celery/index";
import { describeWith, REDIS_URL, uniqueName } from "../../support/services";

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

await describeWith(["redis"], "worker ordering on Redis", () => {
  let redis: Redis;
  let prefix: string;
  const apps: Celery[] = [];
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    // A private key prefix: this file's `unacked` hash holds only its own deliveries.
    prefix = `${uniqueName("ordering")}:`;
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  async function seenFromTheBody(acksLate: boolean): Promise<{ unacked: number; status: string }[]> {
    const queue = uniqueName("order");
    const app = new Celery({ broker: new RedisBroker(REDIS_URL, { globalKeyprefix: prefix }), backend: new RedisBackend(REDIS_URL), defaultQueue: queue });
    apps.push(app);
    const backendKey = (id: string) => `celery-task-meta-${id}`;
    app.task(
      "order.peek",
      async (id: string) => ({ unacked: await redis.hlen(`${prefix}unacked`), status: (JSON.parse((await redis.get(backendKey(id)))!) as { status: string }).status }),
      { acksLate },
    );
    await app.connect();
    // Queued first, so the worker's first reserve takes both: prefetch 2 with concurrency 1.
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    const results = await Promise.all(ids.map((id) => app.sendTask("order.peek", [id], {}, { task_id: id })));
    const worker = app.worker({ queues: [queue], concurrency: 1, prefetchMultiplier: 2, trackStarted: true, logger: quiet, heartbeatInterval: 60 });
    await worker.start();
    const seen = await Promise.all(results.map((result) => result.get({ timeout: 10_000 }) as Promise<{ unacked: number; status: string }>));
    await worker.stop();
    return seen;
  }

  it("acks early and stores STARTED before the body runs", async () => {
    // The first body sees only the second message unacked (reserved), the last one none.
    expect(await seenFromTheBody(false)).toEqual([
      { unacked: 1, status: "STARTED" },
      { unacked: 0, status: "STARTED" },
    ]);
  });

  it("keeps an acksLate message unacked while its body runs", async () => {
    expect(await seenFromTheBody(true)).toEqual([
      { unacked: 2, status: "STARTED" },
      { unacked: 1, status: "STARTED" },
    ]);
  });
});
