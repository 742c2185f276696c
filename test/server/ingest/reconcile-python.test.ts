// The acceptance scenario against a real Python Celery 5.2 worker on Redis: tasks and workflows run
// while no event ingestion does, then reconciliation alone brings the history to the backend's truth.
// The discovery scan (scanPerRun) reads the whole shared Redis: these runs leave it out; it is
// tested on a private Redis server in reconcile-discover.test.ts.

import { afterAll, beforeAll, expect, it } from "vitest";
import { READY_STATES, RedisBackend } from "../../../src/celery/index";
import { reconcileOnce, reconcileRoot } from "../../../src/server/ingest/reconciler";
import { type PeerConfig, type PythonWorker, runPython, startPythonWorker } from "../../support/python-celery";
import { describeWith, REDIS_URL, uniqueName } from "../../support/services";
import { ReconcileHistoryDouble } from "./reconcile-history-double";

const TASKS = 1_000;
const FAILING = 10;

await describeWith(["redis", "python-celery"], "reconciliation with a Python Celery worker's result backend", () => {
  const queue = uniqueName("reconcile");
  const peer: PeerConfig = { brokerUrl: REDIS_URL, backendUrl: REDIS_URL, queue };
  let worker: PythonWorker;
  let backend: RedisBackend;
  let sent: string[] = [];

  /** Resolves once the backend holds a ready document for every id. */
  async function waitReady(ids: string[], timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const metas = await backend.getMany(ids);
      const waiting = metas.filter((meta) => !("status" in meta) || !READY_STATES.has(meta.status)).length;
      if (waiting === 0) return;
      if (Date.now() > deadline) throw new Error(`${waiting} of ${ids.length} tasks still not ready:\n${worker.output().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  beforeAll(async () => {
    worker = await startPythonWorker(peer);
    backend = new RedisBackend(REDIS_URL);
    await backend.connect();
    // The producer a message capture would have watched: 990 adds and 10 failures, sent in one go.
    sent = await runPython<string[]>(
      peer,
      `ids = [add.delay(i, i).id if i % ${TASKS / FAILING} else fail.delay("lost %d" % i).id for i in range(${TASKS})]\nprint(json.dumps(ids))`,
      60_000,
    );
    await waitReady(sent);
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await backend?.close();
  });

  function expectFinal(history: ReconcileHistoryDouble): void {
    expect(history.countByState()).toEqual({ SUCCESS: TASKS - FAILING, FAILURE: FAILING });
    sent.forEach((id, i) => {
      const task = history.tasks.get(id)!;
      if (i % (TASKS / FAILING)) expect(task).toMatchObject({ state: "SUCCESS", name: "seedflow.add", argsJson: `[${i}, ${i}]`, result: String(2 * i), queue, worker: worker.hostname });
      else expect(task).toMatchObject({ state: "FAILURE", name: "seedflow.fail", exception: `ValueError('lost ${i}')` });
      expect(task.stateAt).toBeGreaterThan(Date.now() / 1000 - 600);
    });
  }

  it("ingestor down while 1,000 tasks ran: the sent ids alone (as capture gives them) reach their final states in one pass", async () => {
    const history = new ReconcileHistoryDouble();
    for (const id of sent) history.seed(id);
    const report = await reconcileOnce({ scanPerRun: 0, reader: history, writer: history, backend });
    expectFinal(history);
    expect(report).toMatchObject({ documents: TASKS, updated: TASKS, discovered: 0, malformed: 0, problems: [], truncated: [] });
    // One MGET and one write per 500 tasks.
    expect(history.batches.map((batch) => batch.tasks.length)).toEqual([500, 500]);
    console.log(`reconciled ${TASKS} unfinished tasks in ${report.durationMs} ms`);
    // Nothing is left unfinished, so the next pass reads nothing.
    expect(await reconcileOnce({ scanPerRun: 0, reader: history, writer: history, backend })).toMatchObject({ documents: 0, updated: 0 });
  });

  it("ingestor down while 1,000 tasks ran: knowing only the roots, the walk restores every task", async () => {
    const history = new ReconcileHistoryDouble();
    history.roots = [...sent];
    const report = await reconcileOnce({ scanPerRun: 0, reader: history, writer: history, backend, rootLimit: TASKS });
    expectFinal(history);
    expect(report).toMatchObject({ documents: TASKS, updated: TASKS, malformed: 0, problems: [] });
    console.log(`walked ${TASKS} roots in ${report.durationMs} ms`);
  });

  it("recovers a Python chain from its root: every step, its state, and the parent edges under the root", async () => {
    const ids = await runPython<string[]>(
      peer,
      `r = chain(add.s(2, 2), add.s(4), add.s(8)).apply_async()\nr.get(timeout=30)\nids = []\nn = r\nwhile n is not None:\n    ids.insert(0, n.id)\n    n = n.parent\nprint(json.dumps(ids))`,
      60_000,
    );
    const [root, second, third] = ids as [string, string, string];
    // r.get() waited for the last step only. A Python worker stores a step's SUCCESS (with its
    // children, which the walk follows) after it applied the next step: the root may still read STARTED.
    await waitReady(ids, 30_000);
    const history = new ReconcileHistoryDouble();
    history.roots = [root];
    const report = await reconcileOnce({ scanPerRun: 0, reader: history, writer: history, backend });
    expect(report).toMatchObject({ documents: 3, updated: 3, discovered: 2, problems: [] });
    expect([root, second, third].map((id) => [history.tasks.get(id)?.state, history.tasks.get(id)?.result, history.tasks.get(id)?.rootId])).toEqual([
      ["SUCCESS", "4", root],
      ["SUCCESS", "8", root],
      ["SUCCESS", "16", root],
    ]);
    expect(history.edges).toEqual([
      { rootId: root, fromId: root, toId: second, kind: "parent" },
      { rootId: root, fromId: second, toId: third, kind: "parent" },
    ]);
  }, 90_000);

  it("recovers the login workflow (chain → group → chord body → step): the walk finds the group, the body's document the rest", async () => {
    const ids = await runPython<[string, string][]>(
      peer,
      `r = login_workflow().apply_async()\nr.get(timeout=30)\nids = []\nn = r\nwhile n is not None:\n    ids.insert(0, [n.id, type(n).__name__])\n    n = n.parent\nprint(json.dumps(ids))`,
      60_000,
    );
    const root = ids[0]![0];
    const [body, last] = [ids.at(-2)![0], ids.at(-1)![0]];
    // As above: check_device (whose children name the group) and post_to_api store their final
    // state after applying the next step, so they may not be ready yet when the last one is.
    await waitReady(ids.filter(([, type]) => type !== "GroupResult").map(([id]) => id), 30_000);
    // Only the root is known: its document names the group and, through the group, both members.
    const history = new ReconcileHistoryDouble();
    history.roots = [root];
    const walk = await reconcileRoot({ writer: history, backend }, root);
    expect(walk).toMatchObject({ updated: 3, discovered: 2, groups: 1, problems: [] });
    const [group] = [...history.groups.values()];
    expect(group).toMatchObject({ rootId: root, parentId: root, size: 2 });
    const members = [...history.tasks.values()].filter((task) => task.groupId === group!.id);
    expect(members.map((task) => [task.name, task.state, task.groupIndex, task.parentId])).toEqual([
      ["seedflow.notify_user", "SUCCESS", 0, root],
      ["seedflow.save_event", "SUCCESS", 1, root],
    ]);
    // Celery 5.2 names a chord body in no header member's children; a capture knows its id (it is
    // in the root's message), and the sweep of unfinished tasks then reads it and its own children
    // (the walk from the root, reading the first three again, runs in the same pass).
    history.seed(body, { state: "PLANNED", rootId: root });
    const sweep = await reconcileOnce({ scanPerRun: 0, reader: history, writer: history, backend });
    expect(sweep).toMatchObject({ documents: 5, updated: 5, discovered: 3, problems: [] });
    expect(history.tasks.get(body)).toMatchObject({ state: "SUCCESS", name: "seedflow.post_to_api", result: '{"score": 2}' });
    expect(history.tasks.get(last)).toMatchObject({ state: "SUCCESS", name: "seedflow.post_process", parentId: body, result: '{"done": true, "score": 2}' });
    expect(history.tasks.size).toBe(5);
  }, 90_000);

  it("restores a saved GroupResult from one member: its group_id leads to celery-taskset-meta and the others", async () => {
    const members = await runPython<string[]>(peer, `g = group(add.s(i, i) for i in range(4)).apply_async()\ng.save()\ng.get(timeout=30)\nprint(json.dumps([r.id for r in g.results]))`);
    const history = new ReconcileHistoryDouble();
    history.roots = [members[2]!];
    const report = await reconcileOnce({ scanPerRun: 0, reader: history, writer: history, backend });
    expect(report).toMatchObject({ updated: 4, discovered: 3, groups: 1, problems: [] });
    expect(members.map((id) => [history.tasks.get(id)?.state, history.tasks.get(id)?.groupIndex, history.tasks.get(id)?.result])).toEqual([0, 1, 2, 3].map((i) => ["SUCCESS", i, String(2 * i)]));
  });

  it("keeps real arguments from result_extended, not reprs", async () => {
    const [id] = await runPython<string[]>(peer, `r = echo.delay("héllo ☃", {"nested": [1, 2.5, None, True]}, [], key="välue")\nr.get(timeout=30)\nprint(json.dumps([r.id]))`);
    const history = new ReconcileHistoryDouble();
    history.seed(id!);
    await reconcileOnce({ scanPerRun: 0, reader: history, writer: history, backend });
    const task = history.tasks.get(id!)!;
    expect(JSON.parse(task.argsJson!)).toEqual(["héllo ☃", { nested: [1, 2.5, null, true] }, []]);
    expect(JSON.parse(task.kwargsJson!)).toEqual({ key: "välue" });
    expect(JSON.parse(task.result!)).toEqual({ args: ["héllo ☃", { nested: [1, 2.5, null, true] }, []], kwargs: { key: "välue" } });
  });
});
