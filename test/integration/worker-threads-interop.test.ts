// `celeriac worker -P threads` as an operator runs it, fed by a Python Celery 5.2 producer over
// Redis: chains and chords complete through tasks that ran in worker threads, and the worker
// reports its threads pool to `inspect stats`.

import { afterAll, beforeAll, expect, it } from "vitest";
import { Celery, createBackend, createBroker } from "../../src/celery/index";
import { type PeerConfig, runPython } from "../support/python-celery";
import { REDIS_URL, describeWith, uniqueName } from "../support/services";
import { type TsWorker, startTsWorker } from "../support/ts-worker-process";

await describeWith(["redis", "python-celery"], "a Python producer with the TypeScript worker's threads pool", () => {
  const queue = uniqueName("ts-threads");
  const hostname = `${queue}@test`;
  const producer: PeerConfig = { brokerUrl: REDIS_URL, backendUrl: REDIS_URL, queue };
  let worker: TsWorker;
  let app: Celery;

  beforeAll(async () => {
    app = new Celery({ broker: createBroker(REDIS_URL), backend: createBackend(REDIS_URL), defaultQueue: queue });
    [worker] = await Promise.all([startTsWorker(REDIS_URL, queue, hostname, ["-P", "threads", "-c", "2"]), app.connect()]);
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await app?.close();
  });

  it("runs a chain and a chord sent by Python in its threads", async () => {
    const out = await runPython<{ chain: number; chord: number; workers: string[] }>(
      producer,
      `from celery import chord
c = chain(add.s(2, 2), add.s(4), add.s(8)).apply_async()
ch = chord([add.s(i, 1) for i in range(5)], tsum.s()).apply_async()
print(json.dumps({"chain": c.get(timeout=30), "chord": ch.get(timeout=30), "workers": [app.backend.get_task_meta(c.id).get("worker")]}))`,
      60_000,
    );
    expect(out, worker.output()).toEqual({ chain: 16, chord: 15, workers: [hostname] });
  }, 90_000);

  it("tells inspect stats it runs a threads pool of its concurrency", async () => {
    const stats = await app.control.inspect({ destination: [hostname], timeout: 5_000 }).stats();
    expect(stats?.[hostname], worker.output()).toMatchObject({ pool: { "max-concurrency": 2, implementation: "celeriac:threads" } });
  });
});
