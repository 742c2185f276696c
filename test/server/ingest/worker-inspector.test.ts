// The worker inspector: pool size, prefetch and queues from inspect replies, asked of our own
// TypeScript worker (memory broker) and of a real Python Celery worker (Redis), and what it does
// with replies it cannot use and with a broker or store that fails.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Celery, type Control, MemoryBackend, MemoryBroker, RedisBackend, RedisBroker, type Worker } from "../../../src/celery/index";
import type { AppError } from "../../../src/server/app-error";
import type { WorkerDetails } from "../../../src/server/ingest/observation";
import { inspectWorkers, startWorkerInspector } from "../../../src/server/ingest/worker-inspector";
import { type PythonWorker, startPythonWorker } from "../../support/python-celery";
import { REDIS_URL, describeWith, uniqueName } from "../../support/services";

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A Control whose inspect answers with canned replies (or fails), for the paths no real worker takes. */
function cannedControl(stats: () => Promise<unknown>, activeQueues: () => Promise<unknown>): Control {
  return { inspect: () => ({ stats, activeQueues }) } as unknown as Control;
}

describe("worker inspector with a TypeScript worker", () => {
  const queue = uniqueName("inspected");
  const hostname = `ts-${queue}@test`;
  let app: Celery;
  let worker: Worker;

  beforeAll(async () => {
    app = new Celery({ broker: new MemoryBroker(), backend: new MemoryBackend(), defaultQueue: queue });
    app.task("inspected.noop", () => null);
    await app.connect();
    worker = app.worker({ queues: [queue, `${queue}.low`], concurrency: 3, prefetchMultiplier: 2, hostname, logger: quiet, heartbeatInterval: 60 });
    await worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    await app?.close();
  });

  it("reads the pool size, prefetch and consumed queues of every worker that answers", async () => {
    const details = await inspectWorkers({ control: app.control, replyTimeoutMs: 300, now: () => 1000 });
    expect(details).toEqual([{ hostname, at: 1000, poolSize: 3, prefetchCount: 6, queues: [queue, `${queue}.low`].sort() }]);
  });

  it("writes each round to the store until stopped, and sees a queue the worker was told to add", async () => {
    const written: WorkerDetails[][] = [];
    const inspector = startWorkerInspector({ control: app.control, writer: { recordWorkerDetails: async (details) => void written.push(details) }, intervalMs: 50, replyTimeoutMs: 200 });
    await app.control.addConsumer(`${queue}.extra`, { destination: [hostname], reply: true, timeout: 1000 });
    const deadline = Date.now() + 5000;
    while (!written.some((round) => round[0]?.queues?.includes(`${queue}.extra`)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await inspector.stop();
    const rounds = written.length;
    expect(written.at(-1)?.[0]).toMatchObject({ hostname, poolSize: 3, queues: [queue, `${queue}.extra`, `${queue}.low`].sort() });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(written).toHaveLength(rounds);
  });
});

describe("worker inspector with replies it cannot use", () => {
  it("keeps the fields that parse, drops a wrong-typed one and reports a worker whose queues are not a list", async () => {
    const errors: AppError[] = [];
    const details = await inspectWorkers({
      control: cannedControl(
        async () => ({ "a@h": { pool: { "max-concurrency": 4 }, prefetch_count: "lots" }, "b@h": { pool: "N/A" }, "prefork@h": { pool: { "max-concurrency": 2, processes: [11, 12, 13] } } }),
        async () => ({ "a@h": [{ name: "q1" }, { name: "q1" }], "b@h": { name: "q2" } }),
      ),
      now: () => 5,
      onError: (error) => errors.push(error),
    });
    expect(details).toEqual([
      { hostname: "a@h", at: 5, poolSize: 4, queues: ["q1"] },
      { hostname: "b@h", at: 5 },
      // pool_grow on prefork adds a process and leaves max-concurrency as started.
      { hostname: "prefork@h", at: 5, poolSize: 3 },
    ]);
    expect(errors.map((error) => error.message)).toEqual(["Worker inspector: b@h answered active_queues with something other than a list of queues; its queues are left as they were."]);
  });

  it("writes nothing when nobody answers, reports a broker failure and a store failure, and goes on", async () => {
    const errors: AppError[] = [];
    let calls = 0;
    const replies = [
      async () => null,
      async () => {
        throw new Error("connection refused");
      },
      async () => ({ "a@h": { pool: { "max-concurrency": 1 } } }),
    ];
    const written: WorkerDetails[][] = [];
    const inspector = startWorkerInspector({
      control: cannedControl(() => replies[Math.min(calls++, 2)]!(), async () => null),
      writer: {
        recordWorkerDetails: async (details) => {
          written.push(details);
          throw new Error("database is down");
        },
      },
      intervalMs: 10,
      onError: (error) => errors.push(error),
    });
    const deadline = Date.now() + 3000;
    while (written.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await inspector.stop();
    expect(errors[0]).toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining("could not broadcast inspect stats/active_queues: connection refused") });
    expect(errors[1]).toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining("the store refused the details of 1 workers: database is down") });
    expect(written[0]).toEqual([{ hostname: "a@h", at: expect.any(Number), poolSize: 1 }]);
  });
});

await describeWith(["python-celery", "redis"], "worker inspector with a Python Celery 5.2.6 worker", () => {
  const queue = uniqueName("inspected-py");
  let peer: PythonWorker;
  let app: Celery;

  beforeAll(async () => {
    app = new Celery({ broker: new RedisBroker(REDIS_URL), backend: new RedisBackend(REDIS_URL), defaultQueue: queue });
    [peer] = await Promise.all([startPythonWorker({ brokerUrl: REDIS_URL, backendUrl: REDIS_URL, queue }), app.connect()]);
    // " ready." is logged just before the worker's event loop starts, and over Redis its pidbox
    // subscribes (pub/sub) only on the loop's first tick: a broadcast sent in between is lost.
    const deadline = Date.now() + 30_000;
    while ((await app.control.ping({ destination: [peer.hostname], timeout: 1000 })).length === 0) {
      if (Date.now() > deadline) throw new Error(`the Python worker never answered a ping:\n${peer.output()}`);
    }
  }, 60_000);

  afterAll(async () => {
    await peer?.stop();
    await app?.close();
  });

  it("reads the Python worker's prefork pool size, prefetch and queue", async () => {
    // Every worker on the broker is asked and the whole window waited out: long enough for a
    // loaded machine, where a Python worker's reply can take more than a second.
    const details = await inspectWorkers({ control: app.control, replyTimeoutMs: 5000 });
    // Other suites' workers may share the broker; ours is the one named after this queue.
    expect(details.find((worker) => worker.hostname === peer.hostname), peer.output()).toMatchObject({ poolSize: 2, prefetchCount: 8, queues: [queue] });
  });
});
