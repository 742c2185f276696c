// Ingestion forgets nothing across outages, against servers the test starts and kills itself:
// tasks whose whole life falls while ingestion is stopped are found by the reconciler's discovery
// scan of the result backend (Redis events are pub/sub: nothing else keeps them).

import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createBroker, READY_STATES, RedisBackend } from "../../src/celery/index";
import { EventIngestor } from "../../src/server/ingest/event-ingestor";
import { type ReconcileReport, startReconciler } from "../../src/server/ingest/reconciler";
import { openStore, type Store } from "../../src/server/store/index";
import { type PeerConfig, type PythonWorker, runPython, startPythonWorker } from "../support/python-celery";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis";
import { describeWith, POSTGRES_URL, uniqueName } from "../support/services";

const TASKS = 1_000;
const FAILING = 10;

await describeWith(["postgres", "python-celery"], "ingestion stopped while a Python worker ran 1,000 tasks (Redis, result_extended, no capture)", () => {
  let redis: PrivateRedis;
  let worker: PythonWorker;
  let store: Store;
  let backend: RedisBackend;
  let peer: PeerConfig;
  const schema = uniqueName("outage").replace(/-/g, "_");

  beforeAll(async () => {
    redis = await startPrivateRedis();
    peer = { brokerUrl: redis.url, backendUrl: redis.url, queue: "celery" };
    worker = await startPythonWorker(peer);
    const url = new URL(POSTGRES_URL);
    url.searchParams.set("schema", schema);
    store = await openStore(url.toString(), { poolSize: 4 });
    backend = new RedisBackend(redis.url);
    await backend.connect();
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await backend?.close();
    await store?.close();
    await redis?.stop();
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it("puts every one of them in the store, with its final state, arguments and worker, after one reconcile interval", async () => {
    // Ingestion ran once (a task seen live), then stopped.
    const broker = createBroker(redis.url);
    const before = new EventIngestor({ broker, writer: store, flushIntervalMs: 50 });
    await before.start();
    const [seen] = await runPython<string[]>(peer, `r = add.delay(1, 1)\nr.get(timeout=30)\nprint(json.dumps([r.id]))`);
    for (let i = 0; i < 100 && (await store.getTask(seen!))?.state !== "SUCCESS"; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await store.getTask(seen!))?.state).toBe("SUCCESS");
    await before.stop();

    // The outage: 1,000 tasks sent and finished; nobody ingests.
    const sent = await runPython<string[]>(peer, `ids = [add.delay(i, i).id if i % ${TASKS / FAILING} else fail.delay("lost %d" % i).id for i in range(${TASKS})]\nprint(json.dumps(ids))`, 60_000);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const metas = await backend.getMany(sent);
      if (metas.every((meta) => "status" in meta && READY_STATES.has(meta.status))) break;
      if (Date.now() > deadline) throw new Error(`the Python worker did not finish:\n${worker.output().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await store.unknownTaskIds(sent)).toHaveLength(TASKS);

    // Ingestion is back: the first reconcile run finds them.
    const reports: ReconcileReport[] = [];
    const reconciler = startReconciler({ reader: store, writer: store, backend, intervalMs: 60_000, onReport: (report) => reports.push(report) });
    for (let i = 0; i < 600 && reports.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    await reconciler.stop();
    expect(reports[0]).toMatchObject({ discovered: TASKS, malformed: 0, problems: [] });
    console.log(`discovery: ${TASKS} unseen tasks found among ${reports[0]!.scanned} result documents in ${reports[0]!.durationMs} ms`);

    expect(await store.unknownTaskIds(sent)).toEqual([]);
    const states: Record<string, number> = {};
    const wanted = new Set(sent);
    let cursor: string | undefined;
    do {
      const page = await store.listTasks({ limit: 500, cursor });
      for (const task of page.tasks) if (wanted.has(task.id)) states[task.state] = (states[task.state] ?? 0) + 1;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(states).toEqual({ SUCCESS: TASKS - FAILING, FAILURE: FAILING });
    expect(await store.getTask(sent[7]!)).toMatchObject({ name: "seedflow.add", state: "SUCCESS", argsJson: "[7, 7]", result: "14", worker: worker.hostname, queue: "celery" });
    expect(await store.getTask(sent[0]!)).toMatchObject({ name: "seedflow.fail", state: "FAILURE", exception: "ValueError('lost 0')" });
  }, 300_000);
});
