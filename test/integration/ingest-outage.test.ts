// Ingestion forgets nothing across outages, against servers the test starts and kills itself:
// tasks whose whole life falls while ingestion is stopped are found by the reconciler's discovery
// scan of the result backend (Redis events are pub/sub: nothing else keeps them).

import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { createBroker, EventDispatcher, READY_STATES, RedisBackend } from "../../src/celery/index";
import { EventIngestor } from "../../src/server/ingest/event-ingestor";
import { type ReconcileReport, startReconciler } from "../../src/server/ingest/reconciler";
import { openStore, type Store } from "../../src/server/store/index";
import { type PeerConfig, type PythonWorker, runPython, startPythonWorker } from "../support/python-celery";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis";
import { privateSchema } from "../support/postgres-schema";
import { describeWith, POSTGRES_URL } from "../support/services";

const TASKS = 1_000;
const FAILING = 10;

await describeWith(["postgres", "python-celery"], "ingestion stopped while a Python worker ran 1,000 tasks (Redis, result_extended, no capture)", () => {
  let redis: PrivateRedis;
  let worker: PythonWorker;
  let store: Store;
  let backend: RedisBackend;
  let peer: PeerConfig;
  const schema = privateSchema("outage");

  beforeAll(async () => {
    redis = await startPrivateRedis();
    peer = { brokerUrl: redis.url, backendUrl: redis.url, queue: "celery" };
    worker = await startPythonWorker(peer);
    store = await openStore(schema.url, { poolSize: 4 });
    backend = new RedisBackend(redis.url);
    await backend.connect();
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await backend?.close();
    await store?.close();
    await redis?.stop();
    await schema.drop();
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

await describeWith(["postgres"], "a Redis pub/sub burst while the store is stalled", () => {
  let redis: PrivateRedis;
  let store: Store;
  const schema = privateSchema("burst");
  const dir = mkdtempSync(join(tmpdir(), "celeriac-burst-journal-"));

  beforeAll(async () => {
    redis = await startPrivateRedis();
    store = await openStore(schema.url, { poolSize: 4 });
  });

  afterAll(async () => {
    await store?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
    await schema.drop();
  });

  it("loses no event: what memory cannot hold waits in the journal and is written once the store is back", async () => {
    const TASKS = 7_500;
    const ingestor = new EventIngestor({ broker: createBroker(redis.url), writer: store, flushIntervalMs: 50, maxBufferedEvents: 5_000, journalDir: dir });
    await ingestor.start();
    // The stall: another session holds the task table, so every write waits.
    const blocker = new pg.Client({ connectionString: POSTGRES_URL });
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query(`LOCK TABLE "${schema.name}".task IN ACCESS EXCLUSIVE MODE`);

    const producer = createBroker(redis.url);
    await producer.connect();
    const worker = new EventDispatcher(producer, { hostname: "celery@burst", buffer: true, bufferLimit: 24 });
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i++) {
      const uuid = randomUUID();
      ids.push(uuid);
      await worker.send("task-received", { uuid, name: "seedflow.add", args: `(${i}, 1)`, kwargs: "{}", retries: 0, root_id: uuid, parent_id: null, eta: null, expires: null });
      await worker.send("task-started", { uuid });
      await worker.send("task-succeeded", { uuid, result: String(i + 1), runtime: 0.001 });
    }
    await worker.flush();
    for (let i = 0; i < 200 && ingestor.stats().received < TASKS * 3; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const during = ingestor.stats();
    expect(during.received).toBe(TASKS * 3);
    expect(during.journaled).toBeGreaterThan(0);

    await blocker.query("ROLLBACK");
    await blocker.end();
    for (let i = 0; i < 600 && ingestor.stats().written < TASKS * 3; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    await ingestor.stop();
    await worker.close();
    await producer.close();
    const after = ingestor.stats();
    console.log(`burst: ${TASKS * 3} events, ${during.journaled} of them journaled while the store was stalled, ${after.written} written, ${after.dropped} dropped`);
    expect(after).toMatchObject({ written: TASKS * 3, dropped: 0, journalBacklog: 0 });
    expect(await store.unknownTaskIds(ids)).toEqual([]);
    expect((await store.getTask(ids[TASKS - 1]!))?.state).toBe("SUCCESS");
  }, 180_000);
});
