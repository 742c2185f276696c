import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AsyncResult, GroupResult, RedisBackend, TaskFailedError } from "../../../src/celery/index";
import { runPython } from "../../support/python-celery";
import { describeWith, REDIS_URL, uniqueName } from "../../support/services";

const queue = uniqueName("celeriac-results");
const peer = { brokerUrl: REDIS_URL, backendUrl: REDIS_URL, queue };

await describeWith(["redis", "python-celery"], "results shared with Python Celery 5.2", () => {
  let backend: RedisBackend;
  let redis: Redis;
  const ids: string[] = [];
  const id = () => {
    const value = randomUUID();
    ids.push(value);
    return value;
  };

  beforeAll(async () => {
    backend = new RedisBackend(REDIS_URL);
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const keys = ids.flatMap((x) => [`celery-task-meta-${x}`, ...[".j", ".s", ".t", ""].map((s) => `celery-taskset-meta-${x}${s}`)]);
    await redis.del(...keys, queue);
    await backend.close();
    redis.disconnect();
  });

  it("reads what Python stored: a value with children, a failure with its traceback, a saved group", async () => {
    const [ok, child, bad, groupId, m1, m2] = [id(), id(), id(), id(), id(), id()];
    await runPython(
      peer,
      `
from types import SimpleNamespace
from celery.result import AsyncResult, GroupResult
req = SimpleNamespace(id="${ok}", task="seedflow.add", args=[2, 3], kwargs={}, hostname="py@host", retries=0,
                      delivery_info={"routing_key": "celery"}, group=None, parent_id=None, children=[AsyncResult("${child}")])
app.backend.store_result("${ok}", 5, "SUCCESS", request=req)
app.backend.mark_as_failure("${bad}", KeyError("missing 7"), traceback="Traceback (most recent call last):\\nKeyError")
GroupResult("${groupId}", [AsyncResult("${m1}"), AsyncResult("${m2}")]).save()
print(json.dumps(True))`,
    );
    const result = new AsyncResult(ok, backend);
    expect(await result.get({ timeout: 5000 })).toBe(5);
    expect(await result.meta()).toMatchObject({ name: "seedflow.add", args: [2, 3], worker: "py@host", queue: "celery" });
    expect((await result.children())?.map((c) => c.id)).toEqual([child]);

    const error = await new AsyncResult(bad, backend).get({ timeout: 5000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect(error).toMatchObject({ excType: "KeyError", excMessage: ["missing 7"], excModule: "builtins", traceback: "Traceback (most recent call last):\nKeyError" });

    const group = await GroupResult.restore(groupId, backend);
    expect(group?.results.map((r) => r.id)).toEqual([m1, m2]);
  });

  it("writes what Python's AsyncResult and GroupResult read back", async () => {
    const [ok, child, bad, groupId] = [id(), id(), id(), id()];
    await backend.storeResult({ status: "SUCCESS", result: { n: [1, "é"] }, traceback: null, children: [[[child, null], null]], date_done: "2026-11-24T07:14:08.518195", task_id: ok });
    await backend.storeResult({
      status: "FAILURE",
      result: { exc_type: "ValueError", exc_message: ["boom"], exc_module: "builtins" },
      traceback: "Traceback: boom",
      children: [],
      date_done: "2026-11-24T07:14:08.518195",
      task_id: bad,
    });
    await new GroupResult(groupId, [new AsyncResult(ok, backend), new AsyncResult(bad, backend)], backend).save();
    const seen = await runPython<{ value: unknown; children: string[]; exc: string; tb: string; members: string[] }>(
      peer,
      `
from celery.result import AsyncResult, GroupResult
bad = AsyncResult("${bad}")
print(json.dumps({"value": AsyncResult("${ok}").get(timeout=5), "children": [c.id for c in AsyncResult("${ok}").children],
                  "exc": repr(bad.get(timeout=5, propagate=False)), "tb": bad.traceback,
                  "members": [r.id for r in GroupResult.restore("${groupId}").results]}))`,
    );
    expect(seen).toEqual({ value: { n: [1, "é"] }, children: [child], exc: "ValueError('boom')", tb: "Traceback: boom", members: [ok, bad] });
  });

  async function pythonChordParts(groupId: string, parts: { taskId: string; index: number }[]): Promise<number> {
    return runPython<number>(
      peer,
      `
from types import SimpleNamespace
body = app.signature("seedflow.tsum", queue="${queue}")
for tid, index in ${JSON.stringify(parts.map((p) => [p.taskId, p.index]))}:
    req = SimpleNamespace(id=tid, group="${groupId}", group_index=index, chord=body)
    app.backend.on_chord_part_return(req, "SUCCESS", index * 10)
with app.connection_for_write() as conn:
    print(json.dumps(conn.default_channel.client.llen("${queue}")))`,
    );
  }

  it("counts a chord together with Python: whichever side reports the last part completes it, exactly once", async () => {
    const sent = () => redis.llen(queue);
    // Python reports the last part: it sees the chord complete and sends the body.
    const first = id();
    const a = [0, 1, 2, 3].map((index) => ({ taskId: id(), index }));
    await backend.setChordSize(first, 4);
    expect(await pythonChordParts(first, [a[0]!])).toBe(0);
    for (const p of [a[2]!, a[1]!]) expect((await backend.chordPartReturn(first, { taskId: p.taskId, state: "SUCCESS", result: p.index * 10, groupIndex: p.index })).complete).toBe(false);
    expect(await pythonChordParts(first, [a[3]!])).toBe(1);

    // We report the last part: we see it complete, with Python's members decoded in group_index order.
    const second = id();
    const b = [0, 1, 2, 3].map((index) => ({ taskId: id(), index }));
    await backend.setChordSize(second, 4);
    expect(await pythonChordParts(second, [b[3]!, b[0]!])).toBe(1);
    expect((await backend.chordPartReturn(second, { taskId: b[2]!.taskId, state: "SUCCESS", result: 20, groupIndex: 2 })).complete).toBe(false);
    const outcome = await backend.chordPartReturn(second, { taskId: b[1]!.taskId, state: "SUCCESS", result: 10, groupIndex: 1 });
    expect(outcome.complete && outcome.parts.map((p) => [p.taskId, p.result])).toEqual(b.map((p) => [p.taskId, p.index * 10]));
    expect(await sent()).toBe(1);
  });
});
