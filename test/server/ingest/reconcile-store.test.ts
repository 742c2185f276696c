// The acceptance scenario end to end on the real store (PGlite in memory and PostgreSQL): a Python
// Celery worker runs 1,000 tasks and a workflow while no event ingestion runs; the store knows only
// what message capture gave it (sent ids, a root); one reconcileOnce brings every task to its
// final state, read from and written to the store itself.
// The discovery scan (scanPerRun) reads the whole shared Redis: these runs leave it out; it is
// tested on a private Redis server in reconcile-discover.test.ts.

import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { READY_STATES, RedisBackend } from "../../../src/celery/index";
import type { TaskObservation } from "../../../src/server/ingest/observation";
import { reconcileOnce } from "../../../src/server/ingest/reconciler";
import { openStore, type Store } from "../../../src/server/store/index";
import { type PeerConfig, type PythonWorker, runPython, startPythonWorker } from "../../support/python-celery";
import { describeWith, POSTGRES_URL, REDIS_URL, uniqueName } from "../../support/services";

const TASKS = 1_000;
const FAILING = 10;

async function allTasks(store: Store, queue: string) {
  const tasks = [];
  let cursor: string | undefined;
  do {
    const page = await store.listTasks({ queue, limit: 500, cursor });
    tasks.push(...page.tasks);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return tasks;
}

/** A fresh store location and how to remove it afterwards. */
type StoreLocation = () => { url: string; cleanup: () => Promise<void> };

const pglite: StoreLocation = () => ({ url: "memory:", cleanup: async () => {} });

const postgres: StoreLocation = () => {
  const schema = uniqueName("reconcile").replace(/-/g, "_");
  const url = new URL(POSTGRES_URL);
  url.searchParams.set("schema", schema);
  return {
    url: url.toString(),
    cleanup: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
};

function scenario(label: string, location: StoreLocation): void {
  const queue = uniqueName("reconcile-store");
  const peer: PeerConfig = { brokerUrl: REDIS_URL, backendUrl: REDIS_URL, queue };
  let worker: PythonWorker;
  let backend: RedisBackend;
  let sent: string[] = [];
  let chainIds: string[] = [];
  const sentAt = Date.now() / 1000 - 120;

  beforeAll(async () => {
    worker = await startPythonWorker(peer);
    backend = new RedisBackend(REDIS_URL);
    await backend.connect();
    sent = await runPython<string[]>(peer, `ids = [add.delay(i, i).id if i % ${TASKS / FAILING} else fail.delay("lost %d" % i).id for i in range(${TASKS})]\nprint(json.dumps(ids))`, 60_000);
    chainIds = await runPython<string[]>(peer, `r = chain(add.s(2, 2), add.s(4), add.s(8)).apply_async()\nr.get(timeout=30)\nids = []\nn = r\nwhile n is not None:\n    ids.insert(0, n.id)\n    n = n.parent\nprint(json.dumps(ids))`);
    const deadline = Date.now() + 120_000;
    // The chain too, not only its last step (r.get()): a Python worker stores each step's SUCCESS,
    // with the children the sweep walks, after it applied the next step.
    for (;;) {
      const metas = await backend.getMany([...sent, ...chainIds]);
      if (metas.every((meta) => "status" in meta && READY_STATES.has(meta.status))) break;
      if (Date.now() > deadline) throw new Error(`the Python worker did not finish:\n${worker.output().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await backend?.close();
  });

  it(`${label}: from the sent ids and the chain's root only, every task reaches its final state and the chain its shape`, async () => {
      const { url, cleanup } = location();
      const store = await openStore(url);
      try {
        // What message capture would have written before the ingestor went down.
        const captured: TaskObservation[] = sent.map((id, i) => ({ id, source: "capture", state: "PENDING", stateAt: sentAt, sentAt, name: i % (TASKS / FAILING) ? "seedflow.add" : "seedflow.fail", queue, rootId: id }));
        captured.push({ id: chainIds[0]!, source: "capture", state: "PENDING", stateAt: sentAt, sentAt, name: "seedflow.add", queue, rootId: chainIds[0] });
        await store.applyBatch({ tasks: captured, workers: [], groups: [], edges: [] });

        const report = await reconcileOnce({ scanPerRun: 0, reader: store, writer: store, backend, rootLimit: 0 });
        // The chain's root is unfinished like the others; the sweep walks on to its two steps.
        expect(report).toMatchObject({ updated: TASKS + 3, discovered: 2, malformed: 0, problems: [] });
        console.log(`${label}: reconciled ${TASKS + 3} tasks into the store in ${report.durationMs} ms`);

        const tasks = await allTasks(store, queue);
        const counts: Record<string, number> = {};
        for (const task of tasks) counts[task.state] = (counts[task.state] ?? 0) + 1;
        expect(counts).toEqual({ SUCCESS: TASKS - FAILING + 3, FAILURE: FAILING });
        const sample = await store.getTask(sent[7]!);
        expect(sample).toMatchObject({ state: "SUCCESS", argsJson: "[7, 7]", result: "14", worker: worker.hostname });
        expect(await store.getTask(sent[0]!)).toMatchObject({ state: "FAILURE", exception: "ValueError('lost 0')" });
        const workflow = await store.getWorkflow(chainIds[0]!);
        expect(workflow.nodes.map((node) => node.id).sort()).toEqual([...chainIds].sort());
        expect(workflow.edges.map(({ fromId, toId }) => [fromId, toId])).toEqual(expect.arrayContaining([[chainIds[0], chainIds[1]], [chainIds[1], chainIds[2]]]));

        // Nothing is unfinished any more: the next pass reads no documents for the sweep.
        expect(await store.unfinishedTaskIds({ olderThan: Date.now() / 1000, limit: 10 })).toEqual([]);
      } finally {
        await store.close();
        await cleanup();
      }
    }, 120_000);
}

await describeWith(["redis", "python-celery"], "reconciliation into the real store on PGlite", () => scenario("PGlite", pglite));
await describeWith(["redis", "python-celery", "postgres"], "reconciliation into the real store on PostgreSQL", () => scenario("PostgreSQL", postgres));
