import { describe, expect, it } from "vitest";
import { type CeleryEvent, ClusterState, parseEvent, type TaskRecord } from "../../../src/celery/index";
import { capturedEvents } from "./vectors";

function replay(events: Record<string, unknown>[], state = new ClusterState()): ClusterState {
  for (const event of events) state.event(parseEvent(event));
  return state;
}

function tasksOf(scenario: string): Record<string, unknown>[] {
  return capturedEvents(scenario).filter((event) => String(event.type).startsWith("task-"));
}

/** Deterministic shuffling (mulberry32), so a failure can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  let a = seed;
  const random = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function summary(task: TaskRecord) {
  const { children, ...rest } = task;
  return { ...rest, children: [...children].sort() };
}

const ev = (type: string, fields: Record<string, unknown>): CeleryEvent => parseEvent({ hostname: "celery@w1", clock: 1, ...fields, timestamp: fields.timestamp ?? 100, type });

describe("ClusterState", () => {
  it("follows a captured chain to three SUCCESS tasks linked parent → child under one root", () => {
    const state = replay(capturedEvents("02_chain"));
    const tasks = [...state.tasks.values()].sort((a, b) => (a.received ?? 0) - (b.received ?? 0));
    expect(tasks.map((t) => [t.name, t.args, t.state, t.result])).toEqual([
      ["seedflow.add", "(2, 2)", "SUCCESS", "4"],
      ["seedflow.add", "(4, 4)", "SUCCESS", "8"],
      ["seedflow.add", "(8, 8)", "SUCCESS", "16"],
    ]);
    const [first, second, third] = tasks as [TaskRecord, TaskRecord, TaskRecord];
    expect(first.parent_id).toBeNull();
    expect(state.parent(second)).toBe(first);
    expect(state.parent(third)).toBe(second);
    expect([first, second, third].map((t) => state.root(t))).toEqual([first, first, first]);
    expect(state.children(first)).toEqual([second]);
    expect(state.children(second)).toEqual([third]);
    expect(third.worker).toBe("celery@capture");
    expect(first.client).toMatch(/^gen\d+@/);
    expect([first.sent, first.received, first.started, first.succeeded].every((t) => typeof t === "number")).toBe(true);
    expect(state.taskTypes()).toEqual(["seedflow.add"]);
    expect(state.taskCount).toBe(3);
  });

  it("goes through RETRY twice and ends in FAILURE for the captured autoretry", () => {
    const state = new ClusterState();
    const states: string[] = [];
    for (const event of capturedEvents("07_autoretry")) {
      const change = state.event(parseEvent(event));
      if (change?.kind === "task" && states.at(-1) !== change.task.state) states.push(change.task.state);
    }
    const [task] = [...state.tasks.values()];
    expect(state.tasks.size).toBe(1);
    // On the wire the retry's task-sent/task-received come before task-retried; being weaker than
    // STARTED they only fill in fields.
    expect(states).toEqual(["PENDING", "RECEIVED", "STARTED", "RETRY", "STARTED", "RETRY", "STARTED", "FAILURE"]);
    expect(task).toMatchObject({ state: "FAILURE", retries: 2, exception: expect.stringContaining("ConnectionError") });
    expect(task!.retried).toBeLessThan(task!.failed!);
  });

  for (const scenario of ["01_single_task", "02_chain", "03_group", "04_chord", "05_login_workflow", "06_link_error", "08_map_starmap_chunks", "10_revoked_eta", "11_remote_control"]) {
    it(`ends in the same task states for ${scenario} whatever the order, even with duplicates`, () => {
      const events = tasksOf(scenario);
      const expected = [...replay(events).tasks.values()].map(summary).sort((a, b) => a.uuid.localeCompare(b.uuid));
      for (const seed of [1, 2, 3]) {
        const disorder = shuffled([...events, ...events.slice(0, events.length / 2)], seed);
        const actual = [...replay(disorder).tasks.values()].map(summary).sort((a, b) => a.uuid.localeCompare(b.uuid));
        expect(actual).toEqual(expected);
      }
    });
  }

  it("lets a late task-received fill in only name, args, kwargs, ids, retries, eta and expires", () => {
    const state = new ClusterState();
    state.event(ev("task-succeeded", { uuid: "t1", result: "5", runtime: 0.1, timestamp: 103, clock: 9 }));
    state.event(ev("task-received", { uuid: "t1", name: "add", args: "(2, 3)", kwargs: "{}", root_id: "t1", parent_id: null, retries: 0, eta: null, expires: null, timestamp: 101, clock: 7, surprise: 1 }));
    expect(state.task("t1")).toMatchObject({ state: "SUCCESS", name: "add", args: "(2, 3)", root_id: "t1", result: "5", timestamp: 103, clock: 9, received: 101, succeeded: 103, extra: {} });
  });

  it("merges a late task-started's fields without moving the state", () => {
    const state = new ClusterState();
    state.event(ev("task-succeeded", { uuid: "t1", timestamp: 103 }));
    state.event(ev("task-started", { uuid: "t1", hostname: "celery@w2", timestamp: 102 }));
    expect(state.task("t1")).toMatchObject({ state: "SUCCESS", worker: "celery@w2", started: 102, timestamp: 103 });
  });

  it("lets RETRY replace any state and be replaced by any state, as Celery", () => {
    const state = new ClusterState();
    state.event(ev("task-failed", { uuid: "t1", timestamp: 105 }));
    state.event(ev("task-retried", { uuid: "t1", timestamp: 104 }));
    expect(state.task("t1")!.state).toBe("RETRY");
    state.event(ev("task-received", { uuid: "t1", timestamp: 103 }));
    expect(state.task("t1")!.state).toBe("RECEIVED");
  });

  it("turns a custom task event into an upper-cased state and keeps its fields", () => {
    const state = new ClusterState();
    state.event(ev("task-started", { uuid: "t1" }));
    state.event(ev("task-progress", { uuid: "t1", done: 3, total: 10 }));
    expect(state.task("t1")).toMatchObject({ state: "PROGRESS", extra: { done: 3, total: 10 } });
    expect(state.event(ev("custom-thing", { x: 1 }))).toBeNull();
    expect(state.eventCount).toBe(3);
  });

  it("attaches children that arrived before their parent once the parent shows up", () => {
    const state = new ClusterState();
    state.event(ev("task-received", { uuid: "child-1", parent_id: "parent", root_id: "parent" }));
    state.event(ev("task-received", { uuid: "child-2", parent_id: "parent", root_id: "parent" }));
    expect(state.task("parent")).toBeUndefined();
    state.event(ev("task-sent", { uuid: "parent" }));
    expect(state.children(state.task("parent")!).map((t) => t.uuid).sort()).toEqual(["child-1", "child-2"]);
    expect(state.root(state.task("child-1")!)?.uuid).toBe("parent");
  });

  it("keeps a worker alive while now < last heartbeat + freq × 2, with its last 4 heartbeats", () => {
    const lifecycle = capturedEvents("00_worker_lifecycle");
    const state = replay(lifecycle.filter((e) => e.type !== "worker-offline"));
    const worker = state.worker("celery@capture")!;
    expect(worker).toMatchObject({ freq: 2, sw_ident: "py-celery", sw_ver: "5.2.6", offlineAt: null });
    const last = worker.heartbeats.at(-1)!;
    expect(state.isAlive(worker, last + 3.9)).toBe(true);
    expect(state.isAlive(worker, last + 4)).toBe(false);
    for (let i = 1; i <= 6; i++) state.event(parseEvent({ ...lifecycle[1], timestamp: last + i * 2, type: "worker-heartbeat" }));
    expect(state.worker("celery@capture")!.heartbeats).toEqual([last + 6, last + 8, last + 10, last + 12]);
    expect(state.aliveWorkers(last + 13).map((w) => w.hostname)).toEqual(["celery@capture"]);
  });

  it("marks a worker offline on worker-offline, and flags the tasks it had STARTED as possibly lost", () => {
    const lifecycle = capturedEvents("00_worker_lifecycle");
    const state = replay(lifecycle.filter((e) => e.type !== "worker-offline"));
    state.event(ev("task-started", { uuid: "running", hostname: "celery@capture" }));
    state.event(ev("task-succeeded", { uuid: "done", hostname: "celery@capture" }));
    state.event(ev("task-started", { uuid: "elsewhere", hostname: "celery@other" }));
    replay(lifecycle.filter((e) => e.type === "worker-offline"), state);
    const worker = state.worker("celery@capture")!;
    expect(worker.heartbeats).toEqual([]);
    expect(worker.offlineAt).toBe(lifecycle.at(-1)!.timestamp);
    expect(state.isAlive(worker, worker.offlineAt!)).toBe(false);
    expect(["running", "done", "elsewhere"].map((uuid) => state.task(uuid)!.possiblyLost)).toEqual([true, false, false]);
    state.event(ev("task-succeeded", { uuid: "running", hostname: "celery@capture" }));
    expect(state.task("running")!.possiblyLost).toBe(false);
  });

  it("forgets the least recently updated tasks and workers beyond its bounds", () => {
    const state = new ClusterState({ maxTasks: 3, maxWorkers: 2 });
    for (const uuid of ["a", "b", "c"]) state.event(ev("task-received", { uuid, hostname: `w-${uuid}` }));
    state.event(ev("task-started", { uuid: "a", hostname: "w-a" }));
    state.event(ev("task-received", { uuid: "d", hostname: "w-a" }));
    expect([...state.tasks.keys()].sort()).toEqual(["a", "c", "d"]);
    expect([...state.workers.keys()].sort()).toEqual(["w-a", "w-c"]);
  });

  it("keeps tasks still in progress on clear(), unless asked to drop everything", () => {
    const state = new ClusterState();
    state.event(ev("task-started", { uuid: "running" }));
    state.event(ev("task-succeeded", { uuid: "done" }));
    state.clear();
    expect([...state.tasks.keys()]).toEqual(["running"]);
    expect(state.workers.size).toBe(0);
    state.clear({ ready: false });
    expect(state.tasks.size).toBe(0);
  });
});
