import { describe, expect, it } from "vitest";
import { parseEvent } from "../../../src/celery/index";
import { WorkerLiveness } from "../../../src/server/ingest/worker-liveness";

const ev = (type: string, at: number, fields: Record<string, unknown> = {}) => parseEvent({ type, hostname: "celery@w1", timestamp: at, local_received: at, ...fields });

describe("WorkerLiveness", () => {
  it("expires a worker at last heartbeat + freq × 2, once, with the tasks it had started and not finished", () => {
    const liveness = new WorkerLiveness();
    liveness.observe(ev("worker-heartbeat", 100, { freq: 2 }));
    liveness.observe(ev("task-started", 101, { uuid: "a" }));
    liveness.observe(ev("task-started", 101, { uuid: "b" }));
    liveness.observe(ev("task-succeeded", 101.5, { uuid: "b" }));
    // The task event at 101.5 proves the worker alive, as in Celery.
    expect(liveness.expire(105.4)).toEqual([]);
    expect(liveness.expire(105.5)).toEqual([{ worker: { hostname: "celery@w1", status: "offline", at: 105.5, heartbeat: false, freq: 2 }, possiblyLost: ["a"] }]);
    expect(liveness.expire(200)).toEqual([]);
  });

  it("brings a worker back with its next heartbeat", () => {
    const liveness = new WorkerLiveness();
    liveness.observe(ev("worker-online", 100, { freq: 1 }));
    expect(liveness.expire(103)).toHaveLength(1);
    liveness.observe(ev("worker-heartbeat", 110, { freq: 1 }));
    expect(liveness.expire(111)).toEqual([]);
    expect(liveness.expire(112)).toHaveLength(1);
  });

  it("uses Celery's 60 s default before the worker names its freq, and ignores the client's task-sent", () => {
    const liveness = new WorkerLiveness();
    liveness.observe(parseEvent({ type: "task-sent", hostname: "gen1@client", timestamp: 100, uuid: "x" }));
    liveness.observe(ev("task-received", 100, { uuid: "x" }));
    expect(liveness.expire(219)).toEqual([]);
    expect(liveness.expire(220).map((expired) => expired.worker.hostname)).toEqual(["celery@w1"]);
  });

  it("hands out the started tasks on worker-offline, and a retried task is no longer running", () => {
    const liveness = new WorkerLiveness();
    liveness.observe(ev("task-started", 100, { uuid: "a" }));
    liveness.observe(ev("task-started", 100, { uuid: "r" }));
    liveness.observe(ev("task-retried", 100, { uuid: "r" }));
    expect(liveness.observe(ev("worker-offline", 101))).toEqual(["a"]);
    expect(liveness.expire(1_000)).toEqual([]);
  });

  it("remembers a bounded number of started tasks per worker, oldest forgotten first", () => {
    const liveness = new WorkerLiveness({ maxStartedPerWorker: 2 });
    for (const uuid of ["a", "b", "c"]) liveness.observe(ev("task-started", 100, { uuid }));
    expect(liveness.observe(ev("worker-offline", 101))).toEqual(["b", "c"]);
  });
});
