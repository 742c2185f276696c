// Chord retry with two failed header members, on the embedded setup (in-memory broker and
// backend, our own worker, the dashboard's ingestion): retrying them one after the other rebuilds
// the join each time without losing the first one's fresh result, and the body fires once.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chord, FAILURE, SUCCESS, type Worker } from "../../../src/celery/index";
import { uniqueName } from "../../support/services";
import { type ControlPlane, startControlPlane } from "./control-plane-harness";

describe("retrying failed chord members one after another", () => {
  const queue = uniqueName("chord");
  const broken = new Set(["a", "b"]);
  let bodyRuns = 0;
  let plane: ControlPlane;
  let worker: Worker;

  beforeAll(async () => {
    plane = await startControlPlane({ brokerUrl: "memory://", queue });
    const { app } = plane.runtime;
    app.task("t.add", (x: number, y: number) => x + y, { queue });
    app.task("t.flaky", (name: string) => {
      if (broken.has(name)) throw new Error(`${name} is broken`);
      return name;
    }, { queue });
    app.task("t.collect", (results: unknown[]) => {
      bodyRuns++;
      return results;
    }, { queue });
    const quiet = () => {};
    worker = app.worker({ hostname: `w-${queue}@test`, queues: [queue], concurrency: 4, sendEvents: true, logger: { info: quiet, warn: quiet, error: quiet } });
    await worker.start();
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await plane?.close();
  });

  it("fires the body once with every result in order after both are retried", async () => {
    const { app, store } = plane.runtime;
    const result = await chord([app.task("t.add").s(1, 1), app.task("t.flaky").s("a"), app.task("t.flaky").s("b"), app.task("t.add").s(3, 3)], app.task("t.collect").s()).applyAsync();
    const bodyId = result.id;
    const groupId = result.parent!.id;
    const deadline = Date.now() + 20_000;
    while ((await app.backend.getTaskMeta(bodyId)).status !== FAILURE) {
      if (Date.now() > deadline) throw new Error("the chord body did not fail with ChordError");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The members reach the store from the app's publish records, written in the background (not
    // awaited by applyAsync): the backend's ChordError can be there before all four are.
    const listMembers = async () => (await store.listGroupMembers(groupId, { from: 0, to: Date.now() / 1000 + 60 })).members;
    let members = await listMembers();
    for (const membersDeadline = Date.now() + 20_000; members.length < 4 && Date.now() < membersDeadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      members = await listMembers();
    }
    expect(members.map((member) => member.name)).toEqual(["t.add", "t.flaky", "t.flaky", "t.add"]);
    const [a, b] = [members[1]!, members[2]!];
    for (const member of [a, b]) await plane.waitForTask(member.id, (task) => task.state === FAILURE && task.messageJson !== undefined, "the member's failure");
    expect(bodyRuns).toBe(0);

    broken.clear();
    const operator = plane.caller("operator");
    const first = await operator.actions.previewRetry({ taskId: a.id });
    expect(first.message.chordJoin).toMatchObject({ groupId, size: 4, dropped: [a.id] });
    expect(first.message.chordJoin!.recorded).toHaveLength(2);
    expect(first.warnings.join(" ")).toMatch(new RegExp(`${b.id} also ended FAILURE: retry it too`));

    await operator.actions.retry({ taskId: a.id, idempotencyKey: randomUUID() });
    await plane.waitForTask(a.id, (task) => task.state === SUCCESS, "the first member's retry");
    expect(bodyRuns).toBe(0);
    await operator.actions.retry({ taskId: b.id, idempotencyKey: randomUUID() });
    await plane.waitForTask(bodyId, (task) => task.state === SUCCESS, "the body");
    expect((await app.backend.getTaskMeta(bodyId)).result).toEqual([2, "a", "b", 6]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bodyRuns).toBe(1);
  }, 60_000);
});
