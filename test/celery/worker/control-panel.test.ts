import { describe, expect, it } from "vitest";
import { type ControlTarget, dispatchControl, isAddressedTo, NO_REPLY, type TaskInfo } from "../../../src/celery/index";

function fakeTarget(overrides: Partial<ControlTarget> = {}): ControlTarget & { calls: string[] } {
  const calls: string[] = [];
  const info: TaskInfo = {
    id: "t1",
    name: "tasks.add",
    args: [1, 2],
    kwargs: {},
    type: "tasks.add",
    hostname: "celery@ts",
    time_start: 1,
    acknowledged: true,
    delivery_info: { exchange: "", routing_key: "celery", priority: 0, redelivered: false },
    worker_pid: 1,
  };
  return {
    calls,
    hostname: "celery@ts",
    clockValue: () => 7,
    revoke: (ids, terminate) => {
      calls.push(`revoke ${ids.join(",")} ${terminate}`);
      return terminate ? ids.filter((id) => id === "t1") : [];
    },
    active: () => [info],
    reserved: () => [],
    scheduled: () => [],
    revokedIds: () => ["t9"],
    registered: () => ["tasks.add"],
    queryTask: (ids): Record<string, [string, TaskInfo]> => (ids.includes("t1") ? { t1: ["active", info] } : {}),
    stats: () => ({ pid: 1 }),
    setRateLimit: (name) => name === "tasks.add",
    setTimeLimit: (name) => name === "tasks.add",
    resizePool: (delta) => calls.push(`resize ${delta}`),
    addConsumer: async (queue) => {
      calls.push(`add ${queue}`);
    },
    cancelConsumer: async (queue) => {
      calls.push(`cancel ${queue}`);
    },
    shutdown: () => calls.push("shutdown"),
    heartbeat: () => calls.push("heartbeat"),
    setEvents: (enabled) => calls.push(`events ${enabled}`),
    activeQueues: () => [],
    ...overrides,
  };
}

describe("the worker control panel", () => {
  it("answers ping with pong", async () => {
    expect(await dispatchControl(fakeTarget(), "ping", {})).toEqual({ ok: "pong" });
  });

  it("flags revoked ids and reports them as Celery does", async () => {
    const target = fakeTarget();
    expect(await dispatchControl(target, "revoke", { task_id: "a" })).toEqual({ ok: "tasks a flagged as revoked" });
    expect(await dispatchControl(target, "revoke", { task_id: ["t1", "x"], terminate: true, signal: "SIGTERM" })).toEqual({ ok: "terminate: t1" });
    expect(await dispatchControl(target, "revoke", { task_id: "x", terminate: true })).toEqual({ ok: "terminate: tasks unknown" });
    expect(target.calls).toEqual(["revoke a false", "revoke t1,x true", "revoke x true"]);
  });

  it("returns raw data for inspect commands", async () => {
    const target = fakeTarget();
    expect(await dispatchControl(target, "active", {})).toHaveLength(1);
    expect(await dispatchControl(target, "registered", {})).toEqual(["tasks.add"]);
    expect(await dispatchControl(target, "revoked", {})).toEqual(["t9"]);
    expect(await dispatchControl(target, "query_task", { ids: ["t1", "nope"] })).toEqual({ t1: ["active", expect.objectContaining({ id: "t1" })] });
    expect(await dispatchControl(target, "clock", {})).toEqual({ clock: 7 });
  });

  it("refuses rate and time limits for unknown tasks and bad rate strings", async () => {
    const target = fakeTarget();
    expect(await dispatchControl(target, "rate_limit", { task_name: "tasks.add", rate_limit: "10/m" })).toEqual({ ok: "new rate limit set successfully" });
    expect(await dispatchControl(target, "rate_limit", { task_name: "nope", rate_limit: "10/m" })).toEqual({ error: "unknown task" });
    expect(await dispatchControl(target, "rate_limit", { task_name: "tasks.add", rate_limit: "fast" })).toMatchObject({ error: expect.stringContaining("Invalid rate limit") });
    expect(await dispatchControl(target, "time_limit", { task_name: "tasks.add", soft: 1, hard: 2 })).toEqual({ ok: "time limits set successfully" });
    expect(await dispatchControl(target, "time_limit", { task_name: "nope" })).toEqual({ error: "unknown task" });
  });

  it("grows and shrinks the pool and changes consumers", async () => {
    const target = fakeTarget();
    await dispatchControl(target, "pool_grow", { n: 2 });
    await dispatchControl(target, "pool_shrink", {});
    expect(await dispatchControl(target, "add_consumer", { queue: "q2" })).toEqual({ ok: "add consumer q2" });
    expect(await dispatchControl(target, "cancel_consumer", { queue: "q2" })).toEqual({ ok: "no longer consuming from q2" });
    expect(target.calls).toEqual(["resize 2", "resize -1", "add q2", "cancel q2"]);
  });

  it("does not answer shutdown, and reports unknown commands and handler errors as errors", async () => {
    const target = fakeTarget({
      stats: () => {
        throw new TypeError("broken");
      },
    });
    expect(await dispatchControl(target, "shutdown", {})).toBe(NO_REPLY);
    expect(target.calls).toContain("shutdown");
    expect(await dispatchControl(target, "no_such_command", {})).toEqual({ error: "KeyError('no_such_command')" });
    expect(await dispatchControl(target, "stats", {})).toEqual({ error: "TypeError('broken')" });
  });

  it("runs a command only on the workers it is addressed to", () => {
    expect(isAddressedTo("celery@a", { destination: null })).toBe(true);
    expect(isAddressedTo("celery@a", { destination: ["celery@b"] })).toBe(false);
    expect(isAddressedTo("celery@a", { destination: ["celery@a"] })).toBe(true);
    expect(isAddressedTo("celery@a", { pattern: "celery@*", matcher: "glob" })).toBe(true);
    expect(isAddressedTo("celery@a", { pattern: "other@*", matcher: "glob" })).toBe(false);
    expect(isAddressedTo("celery@a", { pattern: "^cel.*a$", matcher: "pcre" })).toBe(true);
  });
});
