// The behaviour every ResultBackend must share, run against each implementation.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ChordPart, ResultBackend, ResultMeta } from "../../../src/celery/index";

/** A finished-task document shaped like the ones a Celery 5.2 worker writes. */
export function successMeta(taskId: string, result: unknown, extra: Partial<ResultMeta> = {}): ResultMeta {
  return { status: "SUCCESS", result, traceback: null, children: [], date_done: "2026-11-24T07:14:08.518195", task_id: taskId, ...extra };
}

function part(index: number): ChordPart {
  return { taskId: randomUUID(), state: "SUCCESS", result: index * 10, groupIndex: index };
}

/**
 * @param order how finished chord parts come back: by group_index (the default, Redis zset mode)
 *   or in the order they were reported (Redis list mode, `result_chord_ordered = False`).
 */
export function backendConformance(name: string, makeBackend: () => ResultBackend, order: "group_index" | "completion" = "group_index"): void {
  let backend: ResultBackend;
  const written: string[] = [];
  const id = () => {
    const value = randomUUID();
    written.push(value);
    return value;
  };

  beforeAll(async () => {
    backend = makeBackend();
    await backend.connect();
  });
  afterAll(async () => {
    for (const taskId of written) {
      await backend.forget(taskId);
      await backend.deleteGroup(taskId);
    }
    await backend.close();
  });

  it(`${name}: reports PENDING for a task it knows nothing about`, async () => {
    const taskId = id();
    const meta = await backend.getTaskMeta(taskId);
    expect(meta).toMatchObject({ status: "PENDING", result: null, task_id: taskId });
  });

  it(`${name}: returns a stored document with every field, including unknown ones`, async () => {
    const taskId = id();
    const meta = successMeta(taskId, { answer: [1, "two"] }, { group_id: "g1", name: "proj.add", args: [1], kwargs: { x: 2 }, worker: "w@h", retries: 0, queue: "celery", stamped_headers: ["s"], s: "v" });
    await backend.storeResult(meta);
    expect(await backend.getTaskMeta(taskId)).toEqual(meta);
  });

  it(`${name}: reads many documents at once, in the order asked, PENDING where none is stored`, async () => {
    const [a, missing, b] = [id(), id(), id()];
    await backend.storeResult(successMeta(a, 1));
    await backend.storeResult({ ...successMeta(b, { exc_type: "ValueError", exc_message: ["no"], exc_module: "builtins" }), status: "FAILURE" });
    const metas = await backend.getMany([a, missing, b]);
    expect(metas.map((meta) => ("status" in meta ? [meta.task_id, meta.status] : meta))).toEqual([[a, "SUCCESS"], [missing, "PENDING"], [b, "FAILURE"]]);
    expect(await backend.getMany([])).toEqual([]);
  });

    it(`${name}: never overwrites a stored SUCCESS, but lets other states advance`, async () => {
    const taskId = id();
    await backend.storeResult({ ...successMeta(taskId, null), status: "STARTED", date_done: null });
    await backend.storeResult(successMeta(taskId, 5));
    await backend.storeResult({ ...successMeta(taskId, { exc_type: "ValueError", exc_message: ["late"], exc_module: "builtins" }), status: "FAILURE" });
    const meta = await backend.getTaskMeta(taskId);
    expect(meta.status).toBe("SUCCESS");
    expect(meta.result).toBe(5);
  });

  it(`${name}: wakes a listener with each document stored after it subscribed, until unsubscribed`, async () => {
    const taskId = id();
    const seen: string[] = [];
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const unsubscribe = await backend.onResult(taskId, (meta) => {
      seen.push(meta.status);
      if (meta.status === "SUCCESS") wake();
    });
    await backend.storeResult({ ...successMeta(taskId, null), status: "STARTED", date_done: null });
    await backend.storeResult(successMeta(taskId, 8));
    await woken;
    await unsubscribe();
    expect(seen).toEqual(["STARTED", "SUCCESS"]);
  });

  it(`${name}: forgets a result, which then reads as PENDING`, async () => {
    const taskId = id();
    await backend.storeResult(successMeta(taskId, 1));
    await backend.forget(taskId);
    expect((await backend.getTaskMeta(taskId)).status).toBe("PENDING");
  });

  it(`${name}: saves, restores and deletes a group`, async () => {
    const groupId = id();
    const tuple: [[string, null], [[string, null], null][]] = [[groupId, null], [[[randomUUID(), null], null], [[randomUUID(), null], null]]];
    expect(await backend.restoreGroup(groupId)).toBeNull();
    await backend.saveGroup(groupId, tuple);
    expect(await backend.restoreGroup(groupId)).toEqual(tuple);
    await backend.deleteGroup(groupId);
    expect(await backend.restoreGroup(groupId)).toBeNull();
  });

  it(`${name}: completes a chord for exactly one of many concurrent parts, with parts in ${order} order`, async () => {
    const groupId = id();
    const parts = Array.from({ length: 12 }, (_, i) => part(i));
    await backend.setChordSize(groupId, parts.length);
    const shuffled = [...parts].sort(() => Math.random() - 0.5);
    const outcomes = await Promise.all(shuffled.map((p) => backend.chordPartReturn(groupId, p)));
    const complete = outcomes.filter((o) => o.complete);
    expect(complete).toHaveLength(1);
    const [done] = complete;
    expect(done?.complete && done.parts.map((p) => [p.taskId, p.state, p.result])).toEqual((order === "group_index" ? parts : shuffled).map((p) => [p.taskId, "SUCCESS", p.result]));
  });

  it(`${name}: waits for the members added at run time before completing a chord`, async () => {
    const groupId = id();
    await backend.setChordSize(groupId, 2);
    await backend.incrementChordSize(groupId, 1);
    expect((await backend.chordPartReturn(groupId, part(0))).complete).toBe(false);
    expect((await backend.chordPartReturn(groupId, part(1))).complete).toBe(false);
    const last = await backend.chordPartReturn(groupId, part(1));
    expect(last.complete && last.parts).toHaveLength(3);
  });

  it(`${name}: rebuilds a chord's join after it completed with a failure, so the retried member completes it once with every result`, async () => {
    const groupId = id();
    const parts = Array.from({ length: 3 }, (_, i) => part(i));
    const failed: ChordPart = { ...parts[1]!, state: "FAILURE", result: { exc_type: "ValueError", exc_message: ["boom"], exc_module: "builtins" } };
    await backend.setChordSize(groupId, 3);
    for (const p of [parts[0]!, failed]) expect((await backend.chordPartReturn(groupId, p)).complete).toBe(false);
    expect((await backend.chordPartReturn(groupId, parts[2]!)).complete).toBe(true);
    // Only the first member's result is re-recorded: the third "returns meanwhile" (after the rebuild).
    await backend.restoreChordJoin(groupId, [parts[0]!], 3, [failed.taskId]);
    expect((await backend.chordPartReturn(groupId, parts[2]!)).complete).toBe(false);
    const done = await backend.chordPartReturn(groupId, parts[1]!);
    expect(done.complete && done.parts.map((p) => [p.taskId, p.state, p.result])).toEqual(
      (order === "group_index" ? parts : [parts[0]!, parts[2]!, parts[1]!]).map((p) => [p.taskId, "SUCCESS", p.result]),
    );
  });

  it(`${name}: a rebuild drops the failed member's entry while the chord is still waiting, and keeps the others'`, async () => {
    const groupId = id();
    const parts = Array.from({ length: 3 }, (_, i) => part(i));
    await backend.setChordSize(groupId, 3);
    await backend.chordPartReturn(groupId, parts[0]!);
    await backend.chordPartReturn(groupId, { ...parts[1]!, state: "FAILURE", result: null });
    await backend.restoreChordJoin(groupId, [], 3, [parts[1]!.taskId]);
    expect((await backend.chordPartReturn(groupId, parts[1]!)).complete).toBe(false);
    const done = await backend.chordPartReturn(groupId, parts[2]!);
    expect(done.complete && done.parts.map((p) => p.state)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS"]);
  });

  it(`${name}: never completes a chord whose size was not set`, async () => {
    const groupId = id();
    expect((await backend.chordPartReturn(groupId, part(0))).complete).toBe(false);
  });
}
