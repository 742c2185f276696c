// The conformance suite every store backend runs (PGlite in memory, real PostgreSQL): merging by
// Celery's precedence, field and timeline merging, workflow graphs, rollups, pagination,
// retention and worker loss, stated once.

import { afterAll, beforeAll, expect, it } from "vitest";
import type { IngestBatch, TaskObservation, WorkerObservation } from "../../../src/server/ingest/observation";
import type { Store } from "../../../src/server/store/index";
import { uniqueName } from "../../support/services";

/** Opens a fresh, empty store; the suite closes it. */
export type OpenFreshStore = () => Promise<Store>;

const T0 = 1_700_000_000;

function batch(parts: Partial<IngestBatch>): IngestBatch {
  return { tasks: [], workers: [], groups: [], edges: [], ...parts };
}

function tasks(...observations: TaskObservation[]): IngestBatch {
  return batch({ tasks: observations });
}

/** Every ordering of `items`. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** The four lifecycle observations of one successful task, as events and a capture give them. */
function lifecycle(id: string): TaskObservation[] {
  return [
    { id, source: "capture", state: "PENDING", stateAt: T0, sentAt: T0, queue: "q-life", argsJson: "[1, 2]", kwargsJson: "{}", messageJson: '{"body":[]}' },
    { id, source: "event", state: "RECEIVED", stateAt: T0 + 1, receivedAt: T0 + 1, name: "tasks.add", argsRepr: "(1, 2)", retries: 0, event: { type: "task-received", timestamp: T0 + 1, hostname: "w@a" } },
    { id, source: "event", state: "STARTED", stateAt: T0 + 2, startedAt: T0 + 2, worker: "w@a", event: { type: "task-started", timestamp: T0 + 2, hostname: "w@a" } },
    { id, source: "event", state: "SUCCESS", stateAt: T0 + 5, finishedAt: T0 + 5, runtime: 3, result: "3", event: { type: "task-succeeded", timestamp: T0 + 5, hostname: "w@a" } },
  ];
}

export function storeConformance(open: OpenFreshStore): void {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it("ends a task in SUCCESS with every source's fields whatever order its observations arrive in, batch by batch", async () => {
    const prefix = uniqueName("perm");
    const orders = permutations(lifecycle("x"));
    for (const [n, order] of orders.entries()) {
      for (const observation of order) await store.applyBatch(tasks({ ...observation, id: `${prefix}-${n}` }));
    }
    for (let n = 0; n < orders.length; n++) {
      const task = await store.getTask(`${prefix}-${n}`);
      expect(task).toMatchObject({ state: "SUCCESS", stateAt: T0 + 5, name: "tasks.add", worker: "w@a", queue: "q-life", argsJson: "[1, 2]", argsRepr: "(1, 2)", result: "3", runtime: 3, sentAt: T0, receivedAt: T0 + 1, startedAt: T0 + 2, finishedAt: T0 + 5, firstAt: T0, messageJson: '{"body":[]}' });
      expect(task?.events.map((event) => event.type)).toEqual(["task-received", "task-started", "task-succeeded"]);
    }
  });

  it("merges several observations of one task inside a single batch the same way", async () => {
    const id = uniqueName("onebatch");
    await store.applyBatch(tasks(...lifecycle(id).reverse()));
    expect(await store.getTask(id)).toMatchObject({ state: "SUCCESS", name: "tasks.add", worker: "w@a", sentAt: T0 });
  });

  it("loses nothing when writers race on the same new tasks (events, captures and the backend at once)", async () => {
    const prefix = uniqueName("race");
    const ids = Array.from({ length: 50 }, (_, i) => `${prefix}-${i}`);
    const stages = lifecycle("x");
    // Each writer holds one stage of every task, in a different id order.
    await Promise.all(stages.map((stage, s) => store.applyBatch(tasks(...(s % 2 ? [...ids].reverse() : ids).map((id) => ({ ...stage, id }))))));
    for (const id of ids) {
      const task = await store.getTask(id);
      expect(task).toMatchObject({ state: "SUCCESS", name: "tasks.add", worker: "w@a", queue: "q-life", sentAt: T0, finishedAt: T0 + 5 });
      expect(task?.events).toHaveLength(3);
    }
  });

  it("lets RETRY replace a stronger state, and a newer state replace RETRY, but never a retry dated before the outcome", async () => {
    const id = uniqueName("retry");
    await store.applyBatch(tasks({ id, source: "event", state: "STARTED", stateAt: T0 + 1, startedAt: T0 + 1 }));
    await store.applyBatch(tasks({ id, source: "event", state: "RETRY", stateAt: T0 + 2, exception: "Retry in 1s" }));
    expect((await store.getTask(id))?.state).toBe("RETRY");
    await store.applyBatch(tasks({ id, source: "event", state: "RECEIVED", stateAt: T0 + 3, receivedAt: T0 + 3 }));
    expect((await store.getTask(id))?.state).toBe("RECEIVED");

    const late = uniqueName("late-retry");
    await store.applyBatch(tasks({ id: late, source: "event", state: "SUCCESS", stateAt: T0 + 9, finishedAt: T0 + 9 }));
    await store.applyBatch(tasks({ id: late, source: "event", state: "RETRY", stateAt: T0 + 2 }));
    expect((await store.getTask(late))?.state).toBe("SUCCESS");
  });

  it("ranks PLANNED below PENDING", async () => {
    const id = uniqueName("planned");
    await store.applyBatch(tasks({ id, source: "capture", state: "PLANNED", name: "tasks.step" }));
    await store.applyBatch(tasks({ id, source: "capture", state: "PENDING", stateAt: T0, sentAt: T0 }));
    await store.applyBatch(tasks({ id, source: "capture", state: "PLANNED" }));
    expect(await store.getTask(id)).toMatchObject({ state: "PENDING", name: "tasks.step", sentAt: T0 });
  });

  it("lets a step's own captured message replace its planned signature even after the step finished", async () => {
    const id = uniqueName("late-capture");
    const message = '{"headers": {"id": "x"}, "properties": {}, "body": [[[1, 2]], {}, {}]}';
    await store.applyBatch(tasks({ id, source: "capture", state: "PLANNED", name: "tasks.step", argsJson: "[]", messageJson: '{"signature": {"task": "tasks.step"}}' }));
    await store.applyBatch(tasks({ id, source: "event", state: "FAILURE", stateAt: T0 + 5, queue: "q-event" }));
    await store.applyBatch(tasks({ id, source: "capture", state: "PENDING", stateAt: T0, sentAt: T0, argsJson: "[[1, 2]]", messageJson: message, queue: "q", exchange: "", routingKey: "q" }));
    expect(await store.getTask(id)).toMatchObject({ state: "FAILURE", argsJson: "[[1, 2]]", messageJson: message, queue: "q", routingKey: "q", sentAt: T0 });
    // A message already captured is not replaced by a stale one.
    await store.applyBatch(tasks({ id, source: "capture", state: "PENDING", stateAt: T0, argsJson: "[[9]]", messageJson: '{"headers": {}, "properties": {}, "body": [[[9]], {}, {}]}' }));
    expect((await store.getTask(id))?.argsJson).toBe("[[1, 2]]");
  });

  it("never clears a field with an unknown one, keeps the earliest sentAt and latest finishedAt, and lets a late RECEIVED only fill gaps", async () => {
    const id = uniqueName("fields");
    await store.applyBatch(tasks({ id, source: "event", state: "FAILURE", stateAt: T0 + 9, finishedAt: T0 + 9, exception: "KeyError('x')", traceback: "Traceback …", worker: "w@b", retries: 2 }));
    await store.applyBatch(tasks({ id, source: "backend", state: "FAILURE", stateAt: T0 + 9, result: '{"exc_type": "KeyError"}' }));
    await store.applyBatch(tasks({ id, source: "event", state: "FAILURE", stateAt: T0 + 9, result: "KeyError('x')", finishedAt: T0 + 8 }));
    await store.applyBatch(tasks({ id, source: "event", state: "RECEIVED", stateAt: T0 + 1, name: "tasks.fail", worker: "w@elsewhere", retries: 0, receivedAt: T0 + 1, sentAt: T0 + 0.5 }));
    await store.applyBatch(tasks({ id, source: "capture", sentAt: T0 }));
    const task = await store.getTask(id);
    expect(task).toMatchObject({ state: "FAILURE", name: "tasks.fail", worker: "w@b", retries: 2, exception: "KeyError('x')", traceback: "Traceback …", result: '{"exc_type": "KeyError"}', finishedAt: T0 + 9, sentAt: T0, receivedAt: T0 + 1, firstAt: T0 });
  });

  it("keeps one copy of an event seen twice, in one batch or across batches, in timestamp order", async () => {
    const id = uniqueName("dupe");
    const received = { id, source: "event" as const, state: "RECEIVED", stateAt: T0 + 1, event: { type: "task-received", timestamp: T0 + 1, hostname: "w@a", clock: 7 } };
    const started = { id, source: "event" as const, state: "STARTED", stateAt: T0 + 2, event: { type: "task-started", timestamp: T0 + 2, hostname: "w@a", clock: 8 } };
    await store.applyBatch(tasks(started, received, started));
    await store.applyBatch(tasks(received, started));
    const task = await store.getTask(id);
    expect(task?.events).toEqual([received.event, started.event]);
  });

  it("returns a workflow's tasks (PLANNED included), groups and edges by root id", async () => {
    const root = uniqueName("root");
    const [a, b, c, body, group] = ["a", "b", "c", "body", "group"].map((s) => `${root}-${s}`) as [string, string, string, string, string];
    await store.applyBatch(
      batch({
        tasks: [
          { id: root, source: "capture", state: "PENDING", rootId: root, name: "wf.start", sentAt: T0 },
          { id: a, source: "capture", state: "PENDING", rootId: root, parentId: root, groupId: group, groupIndex: 0 },
          { id: b, source: "capture", state: "PENDING", rootId: root, parentId: root, groupId: group, groupIndex: 1 },
          { id: body, source: "capture", state: "PLANNED", rootId: root, name: "wf.collect" },
        ],
        groups: [{ id: group, rootId: root, parentId: root, size: 2, chordBodyId: body }],
        edges: [
          { rootId: root, fromId: root, toId: group, kind: "chain" },
          { rootId: root, fromId: group, toId: body, kind: "chord" },
          { rootId: root, fromId: root, toId: group, kind: "chain" },
        ],
      }),
    );
    await store.applyBatch(batch({ tasks: [{ id: c, source: "event", state: "STARTED", rootId: root, parentId: a }], edges: [{ rootId: root, fromId: a, toId: c, kind: "parent" }] }));
    const workflow = await store.getWorkflow(root);
    expect(workflow.nodes.map((node) => node.id).sort()).toEqual([root, a, b, c, body].sort());
    expect(workflow.nodes.find((node) => node.id === body)).toMatchObject({ state: "PLANNED", name: "wf.collect" });
    expect(workflow.nodes.find((node) => node.id === b)).toMatchObject({ groupId: group, groupIndex: 1, parentId: root });
    expect(workflow.groups).toEqual([{ id: group, parentId: root, size: 2, chordBodyId: body }]);
    expect(workflow.edges.map((e) => `${e.kind}:${e.fromId}>${e.toId}`).sort()).toEqual([`chain:${root}>${group}`, `chord:${group}>${body}`, `parent:${a}>${c}`].sort());
    expect(await store.getWorkflow(uniqueName("nothing"))).toMatchObject({ nodes: [], groups: [], edges: [] });
  });

  it("folds a plan's placeholder task and group into the real ids a captured message names", async () => {
    const root = uniqueName("fold");
    const [step, callback, placeholderTask, placeholderGroup, realGroup, member] = ["step", "cb", "ph-task", "ph-group", "group", "member"].map((s) => `${root}-${s}`) as [string, string, string, string, string, string];
    await store.applyBatch(
      batch({
        tasks: [
          { id: step, source: "capture", state: "PENDING", rootId: root },
          { id: placeholderTask, source: "capture", state: "PLANNED", rootId: root, name: "wf.callback" },
          { id: member, source: "capture", state: "PLANNED", rootId: root, groupId: placeholderGroup },
        ],
        groups: [{ id: placeholderGroup, rootId: root, size: 3 }],
        edges: [
          { rootId: root, fromId: step, toId: placeholderTask, kind: "link" },
          { rootId: root, fromId: step, toId: placeholderGroup, kind: "chain" },
        ],
      }),
    );
    await store.applyBatch(
      batch({
        tasks: [{ id: callback, source: "capture", state: "PENDING", rootId: root, parentId: step, plannedId: placeholderTask }],
        groups: [{ id: realGroup, rootId: root, plannedId: placeholderGroup }],
      }),
    );
    const workflow = await store.getWorkflow(root);
    expect(workflow.nodes.map((node) => node.id).sort()).toEqual([step, callback, member].sort());
    expect(workflow.nodes.find((node) => node.id === member)?.groupId).toBe(realGroup);
    expect(workflow.groups).toEqual([{ id: realGroup, size: 3 }]);
    expect(workflow.edges.map((e) => `${e.kind}:${e.fromId}>${e.toId}`).sort()).toEqual([`chain:${step}>${realGroup}`, `link:${step}>${callback}`]);
  });

  it("counts a finished task once in the rollups even when its terminal state is seen twice, with runtime and wait percentiles", async () => {
    const name = uniqueName("tasks.rolled");
    const minute = T0 + 600;
    const done = (id: string, state: string, runtime: number): TaskObservation => ({ id, source: "event", name, queue: "q-roll", state, stateAt: minute + 10, finishedAt: minute + 10, sentAt: minute, startedAt: minute + 2, runtime });
    await store.applyBatch(tasks(done(`${name}-1`, "SUCCESS", 0.1), done(`${name}-1`, "SUCCESS", 0.1), done(`${name}-2`, "SUCCESS", 0.2)));
    await store.applyBatch(tasks(done(`${name}-1`, "SUCCESS", 0.1), done(`${name}-3`, "FAILURE", 10)));
    await store.applyBatch(tasks({ id: `${name}-3`, source: "backend", state: "FAILURE", stateAt: minute + 11 }));
    const range = { from: minute - 60, to: minute + 60, taskName: name };
    const throughput = await store.getThroughput(range);
    expect(throughput).toMatchObject({ total: 3, failures: 1 });
    expect(throughput.failureRate).toBeCloseTo(1 / 3);
    expect(throughput.minutes).toEqual([{ minute: Math.floor((minute + 10) / 60) * 60, counts: { SUCCESS: 2, FAILURE: 1 }, total: 3, failureRate: 1 / 3 }]);
    const [stats] = await store.getTaskStats(range);
    expect(stats).toMatchObject({ taskName: name, total: 3, failures: 1 });
    expect(stats?.runtime.p50).toBeGreaterThan(0.18);
    expect(stats?.runtime.p50).toBeLessThan(0.22);
    expect(stats?.runtime.p99).toBeGreaterThan(9);
    expect(stats?.runtime.p99).toBeLessThan(11);
    expect(stats?.runtime.mean).toBeCloseTo((0.1 + 0.2 + 10) / 3);
    expect(stats?.wait.mean).toBeCloseTo(2);
  });

  it("counts each retry in the RETRY rollups once, apart from the finished tasks", async () => {
    const name = uniqueName("tasks.retrying");
    const minute = T0 + 1200;
    const retried = (at: number): TaskObservation => ({ id: `${name}-1`, source: "event", name, state: "RETRY", stateAt: at, event: { type: "task-retried", timestamp: at, hostname: "w@h", fields: { exception: "boom" } } });
    await store.applyBatch(tasks(retried(minute + 1), retried(minute + 1)));
    // The same event again (a redelivered batch), then the second retry and the success.
    await store.applyBatch(tasks(retried(minute + 1), retried(minute + 5)));
    await store.applyBatch(tasks({ id: `${name}-1`, source: "event", name, state: "SUCCESS", stateAt: minute + 9, finishedAt: minute + 9, runtime: 0.5, event: { type: "task-succeeded", timestamp: minute + 9, hostname: "w@h" } }));
    const range = { from: minute - 60, to: minute + 60, taskName: name };
    const throughput = await store.getThroughput(range);
    expect(throughput).toMatchObject({ total: 1, failures: 0 });
    expect(throughput.minutes.map((m) => m.counts)).toEqual([{ RETRY: 2, SUCCESS: 1 }]);
    const [stats] = await store.getTaskStats(range);
    expect(stats).toMatchObject({ taskName: name, total: 1, failures: 0 });
    expect(stats?.runtime.mean).toBeCloseTo(0.5);
  });

  it("counts a task's outcome again after it was retried (FAILURE, then RETRY, then SUCCESS)", async () => {
    const name = uniqueName("tasks.again");
    const minute = T0 + 1800;
    const id = `${name}-1`;
    await store.applyBatch(tasks({ id, source: "event", name, state: "FAILURE", stateAt: minute + 1, finishedAt: minute + 1 }));
    await store.applyBatch(tasks({ id, source: "capture", state: "RETRY", stateAt: minute + 2 }));
    await store.applyBatch(tasks({ id, source: "event", name, state: "SUCCESS", stateAt: minute + 3, finishedAt: minute + 3 }));
    await store.applyBatch(tasks({ id, source: "backend", state: "SUCCESS", stateAt: minute + 3 }));
    const throughput = await store.getThroughput({ from: minute - 60, to: minute + 60, taskName: name });
    expect(throughput.minutes.map((m) => m.counts)).toEqual([{ FAILURE: 1, SUCCESS: 1 }]);
  });

  it("pages through filtered tasks newest first without gaps or repeats, and filters by name, state, worker, queue, root, time and text", async () => {
    const queue = uniqueName("q-page");
    const observations: TaskObservation[] = Array.from({ length: 25 }, (_, i) => ({
      id: `${queue}-${String(i).padStart(2, "0")}`,
      source: "event",
      // Three tasks share each timestamp: the id breaks ties.
      sentAt: T0 + Math.floor(i / 3),
      state: i % 5 === 0 ? "FAILURE" : "SUCCESS",
      name: i % 2 === 0 ? "tasks.even" : "tasks.odd",
      worker: i < 10 ? "w@low" : "w@high",
      queue,
      rootId: i < 4 ? `${queue}-root` : undefined,
      argsJson: `["order-${i}"]`,
      exception: i === 7 ? "ValueError('needle 100%_done')" : undefined,
    }));
    await store.applyBatch(tasks(...observations));
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const result = await store.listTasks({ queue, limit: 10, cursor });
      seen.push(...result.tasks.map((task) => task.id));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    const newestFirst = [...observations].sort((a, b) => b.sentAt! - a.sentAt! || (a.id < b.id ? 1 : -1)).map((o) => o.id);
    expect(seen).toEqual(newestFirst);
    const oldest = await store.listTasks({ queue, order: "oldest", limit: 3 });
    expect(oldest.tasks.map((task) => task.id)).toEqual([`${queue}-00`, `${queue}-01`, `${queue}-02`]);

    const ids = async (query: Parameters<Store["listTasks"]>[0]) => (await store.listTasks({ queue, limit: 100, ...query })).tasks.map((task) => task.id).sort();
    const expected = (keep: (i: number) => boolean) => observations.filter((_, i) => keep(i)).map((o) => o.id).sort();
    expect(await ids({ state: "FAILURE" })).toEqual(expected((i) => i % 5 === 0));
    expect(await ids({ state: ["FAILURE", "SUCCESS"], name: "tasks.odd" })).toEqual(expected((i) => i % 2 === 1));
    expect(await ids({ worker: "w@low", state: "SUCCESS" })).toEqual(expected((i) => i < 10 && i % 5 !== 0));
    expect(await ids({ rootId: `${queue}-root` })).toEqual(expected((i) => i < 4));
    expect(await ids({ from: T0 + 2, to: T0 + 4 })).toEqual(expected((i) => i >= 6 && i < 12));
    expect(await ids({ text: "ORDER-1" })).toEqual(expected((i) => String(i).startsWith("1")));
    expect(await ids({ text: "100%_" })).toEqual(expected((i) => i === 7));
    expect(await ids({ text: "0%x" })).toEqual([]);
    const [summary] = (await store.listTasks({ queue, text: "needle" })).tasks;
    expect(summary).toMatchObject({ name: "tasks.odd", state: "SUCCESS", argsPreview: '["order-7"]', exception: "ValueError('needle 100%_done')" });
    await expect(store.listTasks({ cursor: "not-a-cursor" })).rejects.toThrow(/Invalid task list cursor/);
  });

  it("flags tasks STARTED on a worker that went offline as possibly lost, and clears the flag when they finish", async () => {
    const host = uniqueName("w");
    const [lost, done] = [`${host}-lost`, `${host}-done`];
    const online: WorkerObservation = { hostname: host, status: "online", at: T0, freq: 2, heartbeat: true, pid: 42, active: 2, processed: 10, loadavg: [0.5, 0.4, 0.3], swIdent: "py-celery", swVer: "5.2.6", swSys: "Linux" };
    await store.applyBatch(
      batch({
        workers: [online],
        tasks: [
          { id: lost, source: "event", state: "STARTED", stateAt: T0, worker: host },
          { id: done, source: "event", state: "SUCCESS", stateAt: T0, worker: host },
        ],
      }),
    );
    expect((await store.listWorkers(T0 + 1)).find((w) => w.hostname === host)).toMatchObject({ status: "online", alive: true, heartbeatAge: 1, pid: 42, loadavg: [0.5, 0.4, 0.3], swVer: "5.2.6" });
    expect((await store.listWorkers(T0 + 5)).find((w) => w.hostname === host)).toMatchObject({ status: "online", alive: false });

    await store.applyBatch(batch({ workers: [{ hostname: host, status: "offline", at: T0 + 3 }] }));
    // An older heartbeat arriving late does not bring it back.
    await store.applyBatch(batch({ workers: [{ ...online, at: T0 + 2 }] }));
    expect((await store.listWorkers(T0 + 3)).find((w) => w.hostname === host)).toMatchObject({ status: "offline", alive: false, pid: 42, firstSeen: T0, lastSeen: T0 + 3 });
    expect(await store.getTask(lost)).toMatchObject({ state: "STARTED", possiblyLost: true });
    expect(await store.getTask(done)).toMatchObject({ possiblyLost: false });

    await store.applyBatch(tasks({ id: lost, source: "backend", state: "SUCCESS", stateAt: T0 + 10 }));
    expect(await store.getTask(lost)).toMatchObject({ state: "SUCCESS", possiblyLost: false });
  });

  it("keeps what inspect replies say of a worker (pool, prefetch, queues) beside its heartbeats, a missing field keeping its value", async () => {
    const [host, quiet] = [uniqueName("w"), uniqueName("no-events")];
    await store.applyBatch(batch({ workers: [{ hostname: host, status: "online", at: T0, freq: 2, heartbeat: true, pid: 7, active: 1 }] }));
    await store.recordWorkerDetails([
      { hostname: host, at: T0 + 1, poolSize: 8, prefetchCount: 32, queues: ["celery", "emails"] },
      { hostname: quiet, at: T0 + 1, poolSize: 2, queues: ["reports"] },
    ]);
    await store.recordWorkerDetails([{ hostname: host, at: T0 + 2, queues: ["celery"] }]);
    await store.applyBatch(batch({ workers: [{ hostname: host, status: "online", at: T0 + 3, freq: 2, heartbeat: true, active: 0 }] }));
    const workers = await store.listWorkers(T0 + 3);
    expect(workers.find((w) => w.hostname === host)).toMatchObject({ alive: true, pid: 7, active: 0, poolSize: 8, prefetchCount: 32, queues: ["celery"], inspectedAt: T0 + 2 });
    // Answering inspect proves it runs, but only events make it "alive": it never sent a heartbeat.
    expect(workers.find((w) => w.hostname === quiet)).toMatchObject({ status: "online", alive: false, answering: true, poolSize: 2, queues: ["reports"], firstSeen: T0 + 1 });
    expect((await store.listWorkers(T0 + 200)).find((w) => w.hostname === quiet)).toMatchObject({ alive: false, answering: false });
    expect(workers.find((w) => w.hostname === quiet)).not.toHaveProperty("lastHeartbeat");
  });

  it("answers the reconciler: unfinished task ids oldest first, recent root ids", async () => {
    const prefix = uniqueName("recon");
    await store.applyBatch(
      tasks(
        { id: `${prefix}-old`, source: "capture", state: "PENDING", stateAt: T0 - 100, sentAt: T0 - 100, rootId: `${prefix}-root` },
        { id: `${prefix}-older`, source: "event", state: "STARTED", stateAt: T0 - 200, startedAt: T0 - 200 },
        { id: `${prefix}-fresh`, source: "event", state: "STARTED", stateAt: T0 + 100 },
        { id: `${prefix}-done`, source: "event", state: "SUCCESS", stateAt: T0 - 300 },
      ),
    );
    const unfinished = await store.unfinishedTaskIds({ olderThan: T0, limit: 100_000 });
    const mine = unfinished.filter((id) => id.startsWith(prefix));
    expect(mine).toEqual([`${prefix}-older`, `${prefix}-old`]);
    expect(await store.recentRootIds({ since: Date.now() / 1000 - 60, limit: 100_000 })).toContain(`${prefix}-root`);
    expect(await store.recentRootIds({ since: Date.now() / 1000 + 60, limit: 10 })).toEqual([]);
  });

  it("keeps ingest counters and reports queue depth with the oldest waiting task", async () => {
    const counter = uniqueName("dropped");
    await store.incrementCounters({ [counter]: 3, [`${counter}-zero`]: 0 });
    await store.incrementCounters({ [counter]: 2 });
    const counters = await store.getCounters();
    expect(counters[counter]).toBe(5);
    expect(counters).not.toHaveProperty(`${counter}-zero`);

    const queue = uniqueName("q-depth");
    const now = Date.now() / 1000;
    await store.recordQueueSamples([
      { broker: "redis://h:6379/0", queue, at: now - 20, depth: 9 },
      { broker: "redis://h:6379/0", queue, at: now - 10, depth: 4, consumers: 2 },
    ]);
    await store.applyBatch(tasks({ id: `${queue}-1`, source: "capture", state: "PENDING", sentAt: now - 30, queue }, { id: `${queue}-2`, source: "capture", state: "PENDING", sentAt: now - 5, queue }, { id: `${queue}-3`, source: "event", state: "STARTED", sentAt: now - 100, queue }));
    const stats = (await store.getQueueStats(now)).find((q) => q.queue === queue);
    expect(stats).toMatchObject({ broker: "redis://h:6379/0", depth: 4, consumers: 2, pending: 2 });
    expect(stats?.sampledAt).toBeCloseTo(now - 10, 3);
    expect(stats?.oldestWaiting).toBeCloseTo(30, 3);
  });

  it("forgets tasks by age and by count, with their edges and emptied groups, and old rollups and samples, in chunks", async () => {
    const fresh = await open();
    try {
      const now = T0 + 10_000;
      const old = (i: number): TaskObservation => ({ id: `old-${i}`, source: "event", state: "SUCCESS", name: "t", sentAt: T0 + i, finishedAt: T0 + i, stateAt: T0 + i, rootId: "old-root", groupId: "old-group" });
      const recent = (i: number): TaskObservation => ({ id: `new-${i}`, source: "event", state: "SUCCESS", name: "t", sentAt: now - 100 + i, finishedAt: now - 100 + i, stateAt: now - 100 + i, rootId: "new-root" });
      await fresh.applyBatch(
        batch({
          tasks: [...Array.from({ length: 7 }, (_, i) => old(i)), ...Array.from({ length: 5 }, (_, i) => recent(i))],
          groups: [{ id: "old-group", rootId: "old-root", size: 7 }, { id: "new-group", rootId: "new-root" }],
          edges: [{ rootId: "old-root", fromId: "old-0", toId: "old-1", kind: "chain" }, { rootId: "old-root", fromId: "old-group", toId: "old-x", kind: "chord" }, { rootId: "new-root", fromId: "new-0", toId: "new-1", kind: "chain" }],
        }),
      );
      await fresh.recordQueueSamples([{ broker: "b", queue: "q", at: T0, depth: 1 }, { broker: "b", queue: "q", at: now, depth: 2 }]);

      const byAge = await fresh.enforceRetention({ maxAgeSeconds: 5000, chunkSize: 3 }, now);
      // The seven old tasks finished within one minute: one rollup row.
      expect(byAge).toEqual({ tasks: 7, rollups: 1, samples: 1, more: false });
      expect(await fresh.getWorkflow("old-root")).toEqual({ rootId: "old-root", nodes: [], groups: [], edges: [] });
      expect((await fresh.getWorkflow("new-root")).edges).toHaveLength(1);
      expect((await fresh.getThroughput({ from: now - 1000, to: now + 60 })).total).toBe(5);

      const byCount = await fresh.enforceRetention({ maxTasks: 2, chunkSize: 1, maxChunks: 2 }, now);
      expect(byCount).toMatchObject({ tasks: 2, more: true });
      await fresh.enforceRetention({ maxTasks: 2 }, now);
      expect((await fresh.listTasks()).tasks.map((task) => task.id)).toEqual(["new-4", "new-3"]);
      expect((await fresh.getWorkflow("new-root")).groups).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });
}
