import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AsyncResult, BackendError, GroupResult, IncompleteStream, MemoryBackend, TaskFailedError, TaskRevokedError, TimeoutError, type ResultMeta } from "../../../src/celery/index";

const backend = new MemoryBackend();

function doc(taskId: string, status: string, result: unknown, extra: Partial<ResultMeta> = {}): ResultMeta {
  return { status, result, traceback: null, children: [], date_done: status === "SUCCESS" || status === "FAILURE" || status === "REVOKED" ? "2026-11-24T07:14:08.518195" : null, task_id: taskId, ...extra };
}
const failure = { exc_type: "ValueError", exc_message: ["boom"], exc_module: "builtins" };

describe("AsyncResult", () => {
  it("is PENDING and not ready for a task nobody has reported", async () => {
    const result = new AsyncResult(randomUUID(), backend);
    expect(await result.state()).toBe("PENDING");
    expect(await result.ready()).toBe(false);
  });

  it("waits for a result stored after get() started, and returns its value", async () => {
    const result = new AsyncResult(randomUUID(), backend);
    const value = result.get({ timeout: 5000 });
    await backend.storeResult(doc(result.id, "STARTED", { pid: 1, hostname: "w" }));
    await backend.storeResult(doc(result.id, "SUCCESS", [1, 2]));
    expect(await value).toEqual([1, 2]);
    expect(await result.successful()).toBe(true);
  });

  it("throws TaskFailedError with Celery's exception fields for a failure, or returns them without propagate", async () => {
    const result = new AsyncResult(randomUUID(), backend);
    await backend.storeResult(doc(result.id, "FAILURE", failure, { traceback: "Traceback…" }));
    const error = await result.get().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect(error).toMatchObject({ taskId: result.id, excType: "ValueError", excMessage: ["boom"], excModule: "builtins", traceback: "Traceback…" });
    expect(await result.get({ propagate: false })).toEqual(failure);
    expect(await result.failed()).toBe(true);
  });

  it("throws TaskRevokedError for a revoked task", async () => {
    const result = new AsyncResult(randomUUID(), backend);
    await backend.storeResult(doc(result.id, "REVOKED", { exc_type: "TaskRevokedError", exc_message: ["revoked"], exc_module: "celery.exceptions" }, { children: null }));
    await expect(result.get()).rejects.toBeInstanceOf(TaskRevokedError);
  });

  it("times out naming the task and its last state", async () => {
    const result = new AsyncResult(randomUUID(), backend);
    await expect(result.get({ timeout: 20 })).rejects.toThrow(TimeoutError);
    await expect(result.get({ timeout: 20 })).rejects.toThrow(new RegExp(`${result.id}.*PENDING`));
  });

  it("throws a failed parent's error before waiting on its own result, as Celery's follow_parents", async () => {
    const parent = new AsyncResult(randomUUID(), backend);
    await backend.storeResult(doc(parent.id, "FAILURE", failure));
    const child = new AsyncResult(randomUUID(), backend, parent);
    await expect(child.get({ timeout: 5000 })).rejects.toMatchObject({ taskId: parent.id });
    await expect(child.get({ timeout: 20, followParents: false })).rejects.toThrow(TimeoutError);
  });

  it("rejects get() with a BackendError when a published document cannot be read", async () => {
    const store = new MemoryBackend();
    const result = new AsyncResult(randomUUID(), store);
    const waiting = result.get({ timeout: 5000 });
    await store.storeResult({ ...doc(result.id, "FAILURE", "not an exception dict") });
    await expect(waiting).rejects.toThrow(BackendError);
  });

  it("rebuilds children from stored tuples, groups included, and finds the stored parent", async () => {
    const [a, b, c, groupId] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const root = new AsyncResult(randomUUID(), backend);
    await backend.storeResult(doc(root.id, "SUCCESS", 0, { children: [[[a, null], null], [[groupId, null], [[[b, null], null], [[c, null], null]]]] }));
    await backend.storeResult(doc(a, "SUCCESS", 1, { parent_id: root.id }));
    const children = (await root.children())!;
    expect(children.map((child) => [child.constructor.name, child.id])).toEqual([["AsyncResult", a], ["GroupResult", groupId]]);
    expect((children[1] as GroupResult).results.map((r) => r.id)).toEqual([b, c]);
    expect((await (children[0] as AsyncResult).fetchParent())?.id).toBe(root.id);
  });

  it("collects every value of the children graph breadth-first, like Celery's collect", async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const root = new AsyncResult(randomUUID(), backend);
    await backend.storeResult(doc(root.id, "SUCCESS", "root", { children: [[[a, null], null], [[b, null], null]] }));
    await backend.storeResult(doc(a, "SUCCESS", "a", { children: [[[c, null], null]] }));
    await backend.storeResult(doc(b, "SUCCESS", "b"));
    await backend.storeResult(doc(c, "SUCCESS", "c"));
    const collected: unknown[] = [];
    for await (const [, value] of root.collect()) collected.push(value);
    expect(collected).toEqual(["root", "a", "b", "c"]);
    const edges: [string | null, string][] = [];
    for await (const [parent, node] of root.walk()) edges.push([parent?.id ?? null, node.id]);
    expect(edges).toEqual([[null, root.id], [root.id, a], [root.id, b], [a, c]]);
  });

  it("stops walking at an unfinished result unless asked for intermediate results", async () => {
    const pending = randomUUID();
    const root = new AsyncResult(randomUUID(), backend);
    await backend.storeResult(doc(root.id, "SUCCESS", 1, { children: [[[pending, null], null]] }));
    const walk = async (intermediate: boolean) => {
      const ids: string[] = [];
      for await (const [, node] of root.walk({ intermediate })) ids.push(node.id);
      return ids;
    };
    expect(await walk(true)).toEqual([root.id, pending]);
    await expect(walk(false)).rejects.toBeInstanceOf(IncompleteStream);
  });

  it("formats its tuple with its in-memory parents, and forgets itself and them", async () => {
    const parent = new AsyncResult(randomUUID(), backend);
    const result = new AsyncResult(randomUUID(), backend, parent);
    expect(result.toTuple()).toEqual([[result.id, [[parent.id, null], null]], null]);
    await backend.storeResult(doc(parent.id, "SUCCESS", 1));
    await backend.storeResult(doc(result.id, "SUCCESS", 2));
    await result.forget();
    expect(await new AsyncResult(parent.id, backend).state()).toBe("PENDING");
    expect(await result.state()).toBe("PENDING");
  });
});

describe("GroupResult", () => {
  it("joins member values in member order, whatever order they finish in", async () => {
    const members = [randomUUID(), randomUUID(), randomUUID()].map((id) => new AsyncResult(id, backend));
    const group = new GroupResult(randomUUID(), members, backend);
    const joined = group.join({ timeout: 5000 });
    for (const [i, member] of [...members.entries()].reverse()) await backend.storeResult(doc(member.id, "SUCCESS", i));
    expect(await joined).toEqual([0, 1, 2]);
    expect(await group.completedCount()).toBe(3);
    expect(await group.successful()).toBe(true);
  });

  it("reports partial progress and failures, and returns failures in place without propagate", async () => {
    const members = [randomUUID(), randomUUID(), randomUUID()].map((id) => new AsyncResult(id, backend));
    const group = new GroupResult(randomUUID(), members, backend);
    await backend.storeResult(doc(members[0]!.id, "SUCCESS", "ok"));
    await backend.storeResult(doc(members[1]!.id, "FAILURE", failure));
    expect([await group.ready(), await group.waiting(), await group.failed(), await group.completedCount()]).toEqual([false, true, true, 1]);
    await expect(group.join({ timeout: 20 })).rejects.toBeInstanceOf(TaskFailedError);
    await expect(group.join({ timeout: 50, propagate: false })).rejects.toThrow(TimeoutError);
    await backend.storeResult(doc(members[2]!.id, "SUCCESS", "late"));
    expect(await group.join({ propagate: false })).toEqual(["ok", failure, "late"]);
  });

  it("saves, restores (members and parent included) and deletes itself", async () => {
    const parent = new AsyncResult(randomUUID(), backend);
    const group = new GroupResult(randomUUID(), [new AsyncResult(randomUUID(), backend), new GroupResult(randomUUID(), [new AsyncResult(randomUUID(), backend)], backend)], backend, parent);
    await group.save();
    const restored = await GroupResult.restore(group.id, backend);
    expect(restored?.toTuple()).toEqual(group.toTuple());
    expect(restored?.parent?.id).toBe(parent.id);
    await group.delete();
    expect(await GroupResult.restore(group.id, backend)).toBeNull();
  });
});
