// Retry when a step's own message was never captured: a Python Celery 5.2.6 worker WITHOUT
// celeriac_capture runs the login workflow our producer sent (its root message is captured), so
// post_to_api's message exists nowhere but in the root's plan. Retrying it must still resume the
// chain: the plan gives the step and what follows, the result backend the arguments it ran with.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { chain, FAILURE, group, SUCCESS } from "../../src/celery/index";
import { describeWith, uniqueName } from "../support/services";
import { type PythonCluster, startPythonCluster } from "./python-cluster-harness";

await describeWith(["redis", "python-celery"], "retry from the workflow plan, with a Python worker that captures nothing", () => {
  const queue = uniqueName("replan");
  let cluster: PythonCluster;

  beforeAll(async () => {
    cluster = await startPythonCluster({ db: 11, queue });
  }, 60_000);

  afterAll(() => cluster?.close());

  it("re-sends the failed post_to_api from the root's plan with its real arguments, and post_process runs", async () => {
    const { plane, worker, redis, apiSwitch } = cluster;
    const task = (name: string) => plane.runtime.app.task(name, { queue });
    await redis.del(apiSwitch);
    const last = await chain(task("seedflow.check_device").s("u1", "pixel-9"), group(task("seedflow.notify_user").s(), task("seedflow.save_event").s()), task("seedflow.post_to_api").s(), task("seedflow.post_process").s()).applyAsync();
    const postProcessId = last.id;
    const postToApiId = last.parent!.id;
    await plane.waitForTask(postToApiId, (t) => t.state === FAILURE, "post_to_api to fail", 45_000);
    // Nothing captured it: the store holds the step as the root's plan planned it.
    expect((await plane.runtime.store.getTask(postToApiId))?.messageJson).toMatch(/^\{"signature"/);

    const operator = plane.caller("operator");
    const preview = await operator.actions.previewRetry({ taskId: postToApiId });
    expect(preview, worker.output().slice(-2000)).toMatchObject({ source: "plan", state: FAILURE, message: { taskId: postToApiId, name: "seedflow.post_to_api", queue, retries: 1 } });
    expect(preview.message.args).toEqual([[{ notified: "u1" }, { saved: "pixel-9" }]]);
    expect(preview.message.continuation).toEqual([{ kind: "chain", name: "seedflow.post_process", taskId: postProcessId }]);
    expect(preview.warnings.join(" ")).toContain("rebuilt from the workflow plan");

    await redis.set(apiSwitch, "1");
    await operator.actions.retry({ taskId: postToApiId, reason: "API is back", idempotencyKey: randomUUID() });
    await plane.waitForTask(postProcessId, (t) => t.state === SUCCESS, "post_process to succeed", 45_000);
    expect((await plane.runtime.app.backend.getTaskMeta(postProcessId)).result).toEqual({ done: true, score: 2 });
    expect((await plane.runtime.app.backend.getTaskMeta(postToApiId)).retries).toBe(1);
  }, 120_000);
});
