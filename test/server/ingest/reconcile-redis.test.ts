// The reconciler against documents in real Redis: what it reads and skips, its limits and grace
// period, on-demand runs, failures reported instead of thrown, and the periodic loop.
// The discovery scan (scanPerRun) reads the whole shared Redis: these runs leave it out; it is
// tested on a private Redis server in reconcile-discover.test.ts.

import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { expect, it, vi } from "vitest";
import type { RedisBackend} from "../../../src/celery/index";
import { DisabledBackend, pyIsoformat, type ResultMeta, type ResultTuple } from "../../../src/celery/index";
import { reconcileOnce, reconcileRoot, reconcileTask, type ReconcileReport, startReconciler } from "../../../src/server/ingest/reconciler";
import { describeWith } from "../../support/services";
import { ReconcileHistoryDouble } from "./reconcile-history-double";
import { useRedisBackend } from "../../support/redis-backend-fixture";

const task = (id: string): ResultTuple => [[id, null], null];

await describeWith(["redis"], "reconciler on Redis result documents", () => {
  let redis: Redis;
  let backend: RedisBackend;
  useRedisBackend("reconcile", (client, connected) => ([redis, backend] = [client, connected]));

  function done(id: string, extra: Partial<ResultMeta> = {}): Promise<void> {
    return backend.storeResult({ status: "SUCCESS", result: id.length, traceback: null, children: [], date_done: pyIsoformat(new Date(), { naive: true }), name: "proj.step", args: [], kwargs: {}, task_id: id, ...extra });
  }

  /** root → [b, group g(c, d)], b → [e]: five tasks, one group, as a worker would have stored them. */
  async function tree(): Promise<{ root: string; b: string; c: string; d: string; e: string; g: string }> {
    const [root, b, c, d, e, g] = Array.from({ length: 6 }, () => randomUUID());
    await done(root!, { children: [task(b!), [[g!, null], [task(c!), task(d!)]]] });
    await done(b!, { parent_id: root, children: [task(e!)] });
    await done(c!, { parent_id: root, group_id: g });
    await done(d!, { parent_id: root, group_id: g });
    await done(e!, { parent_id: b });
    return { root: root!, b: b!, c: c!, d: d!, e: e!, g: g! };
  }

  it("walks a root's children breadth-first: every task final, the group with its members, parent edges under the root", async () => {
    const { root, b, c, d, e, g } = await tree();
    const history = new ReconcileHistoryDouble();
    history.roots = [root];
    const report = await reconcileOnce({ scanPerRun: 0, reader: history, writer: history, backend });
    expect(report).toMatchObject({ documents: 5, updated: 5, discovered: 4, groups: 1, malformed: 0, truncated: [], problems: [] });
    expect([root, b, c, d, e].map((id) => history.tasks.get(id)?.state)).toEqual(Array(5).fill("SUCCESS"));
    expect(history.tasks.get(c)).toMatchObject({ groupId: g, groupIndex: 0, rootId: root });
    expect(history.groups.get(g)).toEqual({ id: g, rootId: root, parentId: root, size: 2 });
    expect(new Set(history.edges.map((edge) => `${edge.fromId}>${edge.toId}@${edge.rootId}`))).toEqual(new Set([`${root}>${b}@${root}`, `${root}>${c}@${root}`, `${root}>${d}@${root}`, `${b}>${e}@${root}`]));
    // Written in one batch: the PENDING each tuple implied merged into each task's own document.
    expect(history.batches).toHaveLength(1);
    expect(history.batches[0]!.tasks).toHaveLength(5);
  });

  it("stops a walk at the per-root node limit and names the root as truncated", async () => {
    const { root } = await tree();
    const history = new ReconcileHistoryDouble();
    history.roots = [root];
    const report = await reconcileOnce({ scanPerRun: 0, reader: history, writer: history, backend, nodesPerRoot: 2, readBatchSize: 1 });
    expect(report).toMatchObject({ documents: 2, updated: 2, truncated: [root] });
    // What the walk did reach is kept: the read documents and the tasks their children named.
    expect(history.countByState()).toEqual({ SUCCESS: 2, PENDING: 3 });
  });

  it("stops at the run's overall limit across roots", async () => {
    const [first, second] = [await tree(), await tree()];
    const history = new ReconcileHistoryDouble();
    history.roots = [first.root, second.root];
    const report = await reconcileOnce({ scanPerRun: 0, reader: history, writer: history, backend, nodesTotal: 6 });
    // Breadth-first over both roots at once: two roots, then four of their six children.
    expect(report.documents).toBe(6);
    expect(history.batches.flatMap((batch) => batch.tasks).filter((task) => task.state === "SUCCESS").map((task) => task.id).sort()).toEqual([first.root, second.root, first.b, first.c, first.d, second.b].sort());
    expect(report.truncated.sort()).toEqual([first.root, second.root].sort());
  });

  it("reads only tasks unfinished for longer than the grace period", async () => {
    const [old, fresh] = [randomUUID(), randomUUID()];
    await done(old);
    await done(fresh);
    const history = new ReconcileHistoryDouble();
    history.seed(old, {}, Date.now() / 1000 - 120);
    history.seed(fresh, {}, Date.now() / 1000 - 5);
    const report = await reconcileOnce({ scanPerRun: 0, reader: history, writer: history, backend, graceSeconds: 60 });
    expect(report).toMatchObject({ documents: 1, updated: 1 });
    expect([history.tasks.get(old)?.state, history.tasks.get(fresh)?.state]).toEqual(["SUCCESS", "PENDING"]);
  });

  it("restores the saved GroupResult a member's group_id names, finding the other members", async () => {
    const [a, b, g] = [randomUUID(), randomUUID(), randomUUID()];
    await done(a, { group_id: g });
    await done(b, { group_id: g });
    await backend.saveGroup(g, [[g, null], [task(a), task(b)]]);
    const history = new ReconcileHistoryDouble();
    history.seed(b);
    const report = await reconcileOnce({ scanPerRun: 0, reader: history, writer: history, backend });
    expect(report).toMatchObject({ documents: 2, updated: 2, discovered: 1, groups: 1, problems: [] });
    expect([a, b].map((id) => [history.tasks.get(id)?.state, history.tasks.get(id)?.groupId, history.tasks.get(id)?.groupIndex])).toEqual([
      ["SUCCESS", g, 0],
      ["SUCCESS", g, 1],
    ]);
  });

    it("counts a malformed document or saved group, skips it and reconciles everything else", async () => {
    const [good, broken, member, g] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await done(good);
    await redis.set(backend.taskKey(broken), '{"status": "FAILURE", "result": 3}');
    await done(member, { group_id: g });
    await redis.set(backend.groupKey(g), '{"result": 5}');
    const history = new ReconcileHistoryDouble();
    for (const id of [good, broken, member]) history.seed(id);
    const report = await reconcileOnce({ scanPerRun: 0, reader: history, writer: history, backend });
    expect(report).toMatchObject({ documents: 3, updated: 2, malformed: 2 });
    expect(report.problems.map(({ stage, id }) => [stage, id])).toEqual([
      ["unfinished", broken],
      ["unfinished", g],
    ]);
    expect(report.problems[0]!.reason).toContain(backend.taskKey(broken));
    expect([history.tasks.get(good)?.state, history.tasks.get(broken)?.state, history.tasks.get(member)?.state]).toEqual(["SUCCESS", "PENDING", "SUCCESS"]);
  });

  it("reconciles one task on demand, learning its root from its document, and one root", async () => {
    const { root, b, e } = await tree();
    const history = new ReconcileHistoryDouble();
    const one = await reconcileTask({ writer: history, backend }, root);
    expect(one).toMatchObject({ updated: 5, discovered: 4, groups: 1 });
    expect(history.tasks.get(e)).toMatchObject({ state: "SUCCESS", rootId: root, parentId: b });
    // A subtree: b's document has a parent, so its root is unknown and no edges are invented.
    const sub = new ReconcileHistoryDouble();
    expect(await reconcileTask({ writer: sub, backend }, b)).toMatchObject({ updated: 2, discovered: 1 });
    expect(sub.edges).toEqual([]);
    expect(await reconcileRoot({ writer: sub, backend }, root)).toMatchObject({ updated: 5 });
    expect(sub.edges.every((edge) => edge.rootId === root)).toBe(true);
    // An id the backend holds nothing for changes nothing.
    expect(await reconcileTask({ writer: sub, backend }, randomUUID())).toMatchObject({ documents: 1, updated: 0, discovered: 0 });
  });

  it("reports a backend that cannot be read, per stage, without throwing", async () => {
    const history = new ReconcileHistoryDouble();
    history.seed("t1");
    history.roots = ["r1", "r2"];
    const report = await reconcileOnce({ scanPerRun: 0, reader: history, writer: history, backend: new DisabledBackend() });
    expect(report.problems.map(({ stage, id }) => [stage, id])).toEqual([
      ["unfinished", undefined],
      ["walk", undefined],
    ]);
    expect((await reconcileTask({ writer: history, backend: new DisabledBackend() }, "t1")).problems.map(({ stage, id }) => [stage, id])).toEqual([["walk", "t1"]]);
    expect(report.problems[0]!.reason).toMatch(/no result backend configured/);
  });

  it("reports a store that refuses a batch and stops the run there", async () => {
    const { root } = await tree();
    const history = new ReconcileHistoryDouble();
    history.roots = [root];
    history.down = new Error("database is down");
    const report = await reconcileOnce({ scanPerRun: 0, reader: history, writer: history, backend });
    expect(report.problems).toEqual([{ stage: "write", reason: "the store refused a batch of 5 tasks: database is down" }]);
    const failingReader = { ...history, unfinishedTaskIds: () => Promise.reject(new Error("no such table")), recentRootIds: () => Promise.resolve([]), unknownTaskIds: () => Promise.resolve([]) };
    expect((await reconcileOnce({ scanPerRun: 0, reader: failingReader, writer: history, backend })).problems).toEqual([{ stage: "unfinished", reason: "no such table" }]);
  });

  it("runs periodically until stopped, a failing run reported and the next one tried", async () => {
    const history = new ReconcileHistoryDouble();
    const reports: ReconcileReport[] = [];
    const reconciler = startReconciler({ scanPerRun: 0, reader: history, writer: history, backend, intervalMs: 20, onReport: (report) => reports.push(report) });
    await vi.waitFor(() => expect(reports.length).toBeGreaterThanOrEqual(2));
    // A task appears after the loop started (the ingestor had seen it sent, then went down).
    const late = randomUUID();
    await done(late);
    history.seed(late);
    await vi.waitFor(() => expect(history.tasks.get(late)?.state).toBe("SUCCESS"));
    await reconciler.stop();
    const count = reports.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reports.length).toBe(count);
    expect(reports.some((report) => report.updated === 1)).toBe(true);
    expect(() => startReconciler({ reader: history, writer: history, backend, intervalMs: -1 })).toThrow(/intervalMs/);
    expect(() => startReconciler({ reader: history, writer: history, backend, intervalMs: 10, nodesPerRoot: 0 })).toThrow(/nodesPerRoot/);
  });
});
