// The control plane against a real cluster: Redis broker and backend, a Python Celery 5.2.6
// worker that captures what it sends (celeriac_capture), the dashboard's own ingestion into the
// store, and the actions called through the tRPC router as an operator.

import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { chain, chord, FAILURE, group, REVOKED, SUCCESS } from "../../src/celery/index";
import type { ControlPlane } from "../server/services/control-plane-harness";
import type { PythonWorker } from "../support/python-celery";
import { describeWith, uniqueName } from "../support/services";
import { type PythonCluster, startPythonCluster } from "./python-cluster-harness";

await describeWith(["redis", "python-celery"], "control plane on Redis with a Python Celery 5.2.6 worker", () => {
  const queue = uniqueName("control");
  let cluster: PythonCluster;
  let plane: ControlPlane;
  let worker: PythonWorker;
  let redis: Redis;
  let apiSwitch: string;

  beforeAll(async () => {
    cluster = await startPythonCluster({ db: 9, queue, appModule: "capture_peer" });
    ({ plane, worker, redis, apiSwitch } = cluster);
  }, 60_000);

  afterAll(() => cluster?.close());

  async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${worker.output().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const task = (name: string) => plane.runtime.app.task(name, { queue });
  const key = () => ({ idempotencyKey: randomUUID() });

  function loginWorkflow() {
    return chain(task("seedflow.check_device").s("u1", "pixel-9"), group(task("seedflow.notify_user").s(), task("seedflow.save_event").s()), task("seedflow.post_to_api").s(), task("seedflow.post_process").s());
  }

  /** Launches the login workflow with the API down and waits for post_to_api to fail; returns the ids. */
  async function failedLogin() {
    await redis.del(apiSwitch);
    const result = await loginWorkflow().applyAsync();
    const postProcess = await plane.waitForTask(result.id, (t) => t.rootId !== undefined, "the captured plan");
    const rootId = postProcess.rootId!;
    const workflow = async () => (await plane.runtime.store.getWorkflow(rootId)).nodes;
    let postToApi = (await workflow()).find((node) => node.name === "seedflow.post_to_api");
    const deadline = Date.now() + 30_000;
    while (postToApi?.state !== FAILURE) {
      if (Date.now() > deadline) throw new Error(`post_to_api did not fail: ${JSON.stringify(await workflow())}\n${worker.output().slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      postToApi = (await workflow()).find((node) => node.name === "seedflow.post_to_api");
    }
    // The worker's capture record of post_to_api's own message may trail its failure event.
    await plane.waitForTask(postToApi.id, (t) => t.messageJson?.startsWith('{"headers"') === true, "post_to_api's captured message");
    return { rootId, postToApiId: postToApi.id, postProcessId: result.id };
  }

  it("retries the failed post_to_api after the cause is fixed, and the rest of the chain runs: post_process SUCCESS", async () => {
    const { postToApiId, postProcessId } = await failedLogin();
    const operator = plane.caller("operator");
    const preview = await operator.actions.previewRetry({ taskId: postToApiId });
    expect(preview).toMatchObject({ source: "captured", state: FAILURE, message: { taskId: postToApiId, name: "seedflow.post_to_api", queue, retries: 1 } });
    expect(preview.message.args).toEqual([[{ notified: "u1" }, { saved: "pixel-9" }]]);
    expect(preview.message.continuation).toEqual([{ kind: "chain", name: "seedflow.post_process", taskId: postProcessId }]);

    await redis.set(apiSwitch, "1");
    const applied = await operator.actions.retry({ taskId: postToApiId, reason: "API is back", ...key() });
    expect(applied).toMatchObject({ duplicate: false, result: { taskId: postToApiId, sentId: postToApiId, chordGroupId: null } });

    await plane.waitForTask(postProcessId, (t) => t.state === SUCCESS, "post_process to succeed");
    expect((await plane.runtime.app.backend.getTaskMeta(postProcessId)).result).toEqual({ done: true, score: 2 });
    // post_to_api applies post_process before it stores (and announces) its own SUCCESS, and the
    // pool's other process can run post_process meanwhile: its success may reach the store second.
    const retried = await plane.waitForTask(postToApiId, (t) => t.state === SUCCESS, "post_to_api's own success");
    expect(retried).toMatchObject({ state: SUCCESS, retries: 1 });
  }, 90_000);

  it("retries a failed chord header member: the join is rebuilt and the body fires exactly once with every result in order", async () => {
    await redis.del(apiSwitch);
    const result = await chord([task("seedflow.add").s(1, 1), task("seedflow.post_to_api").s(["x"]), task("seedflow.add").s(3, 3)], task("seedflow.echo").s()).applyAsync();
    const bodyId = result.id;
    // Celery 5.2 completes the chord with the failure: the body fails with ChordError (written to the backend only).
    await until("the body to fail with ChordError", async () => (await plane.runtime.app.backend.getTaskMeta(bodyId)).status === FAILURE);
    const groupId = result.parent!.id;
    // The members reach the store from our publish records, written in the background (not awaited
    // by applyAsync): the backend's ChordError says nothing about how far that write got.
    const members = async () => (await plane.runtime.store.listGroupMembers(groupId, { from: 0, to: Date.now() / 1000 + 60 })).members;
    await until("the three header members in the store", async () => (await members()).length >= 3);
    const header = await members();
    expect(header.map((node) => node.name)).toEqual(["seedflow.add", "seedflow.post_to_api", "seedflow.add"]);
    const member = header[1]!;
    await plane.waitForTask(member.id, (t) => t.state === FAILURE, "the member's failure");

    const operator = plane.caller("operator");
    const preview = await operator.actions.previewRetry({ taskId: member.id });
    expect(preview.message.chordJoin).toMatchObject({ groupId: member.groupId, size: 3, dropped: [member.id], bodyId, bodyName: "seedflow.echo" });
    expect(preview.message.chordJoin!.recorded).toHaveLength(2);

    await redis.set(apiSwitch, "1");
    await operator.actions.retry({ taskId: member.id, ...key() });
    await plane.waitForTask(bodyId, (t) => t.state === SUCCESS, "the chord body to succeed");
    expect((await plane.runtime.app.backend.getTaskMeta(bodyId)).result).toEqual({ args: [[2, { score: 1 }, 6]], kwargs: {} });
    // Give a second firing time to show up, then count the body's runs.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const runs = (await plane.runtime.store.getTask(bodyId))!.events.filter((event) => event.type === "task-started");
    expect(runs).toHaveLength(1);
    expect(worker.output().match(new RegExp(`Task seedflow.echo\\[${bodyId}\\] succeeded`, "g"))).toHaveLength(1);
  }, 90_000);

  it("revokes a running seedflow.sleeper with terminate: the worker stops it and it ends REVOKED", async () => {
    const sent = await task("seedflow.sleeper").delay(60);
    await plane.waitForTask(sent.id, (t) => t.state === "STARTED", "the sleeper to start");
    const operator = plane.caller("operator");
    const preview = await operator.actions.previewRevoke({ taskId: sent.id, terminate: true, signal: "SIGKILL" });
    expect(preview.tasks).toEqual([{ taskId: sent.id, name: "seedflow.sleeper", state: "STARTED" }]);
    const started = Date.now();
    const { result } = await operator.actions.revoke({ taskId: sent.id, terminate: true, signal: "SIGKILL", ...key() });
    expect(result.revoked).toEqual([sent.id]);
    expect(result.replies.map((reply) => Object.keys(reply)[0])).toContain(worker.hostname);
    expect((await plane.runtime.app.backend.getTaskMeta(sent.id)).status).toBe(REVOKED);
    expect((await plane.runtime.store.getTask(sent.id))!.state).toBe(REVOKED);
    expect(Date.now() - started).toBeLessThan(10_000);
    // Workers keep revoked ids: a retry goes out under a fresh id unless told otherwise.
    const retry = await operator.actions.previewRetry({ taskId: sent.id });
    expect(retry.message.taskId).not.toBe(sent.id);
    expect(retry.warnings.join(" ")).toMatch(/sent under a fresh id/);
    expect((await operator.actions.previewRetry({ taskId: sent.id, newId: false })).warnings.join(" ")).toMatch(/discarded on arrival/);
  }, 60_000);

  it("revokes a workflow: its running step finishes, and the planned step the worker sends afterwards is discarded on arrival", async () => {
    // The first step runs until the test lets it finish: a fixed duration would let it end (and
    // send the add step) before the revoke went out on a loaded machine.
    const gate = `${queue}-gate`;
    const result = await chain(task("seedflow.wait_for_key").s(gate), task("seedflow.add").s(1)).applyAsync();
    const addId = result.id;
    const planned = await plane.waitForTask(addId, (t) => t.rootId !== undefined, "the planned add step");
    const rootId = planned.rootId!;
    await plane.waitForTask(rootId, (t) => t.state === "STARTED", "the first step to start");
    const operator = plane.caller("operator");
    const preview = await operator.actions.previewRevokeWorkflow({ rootId });
    expect(preview.tasks).toHaveLength(2);
    expect(preview.tasks).toContainEqual({ taskId: rootId, name: "seedflow.wait_for_key", state: "STARTED" });
    expect(preview.tasks).toContainEqual({ taskId: addId, name: "seedflow.add", state: "PLANNED" });
    expect(preview.warnings.join(" ")).toMatch(/without terminate they run to the end/);
    const { result: revoked } = await operator.actions.revokeWorkflow({ rootId, ...key() });
    expect([...revoked.revoked].sort()).toEqual([rootId, addId].sort());
    expect((await plane.runtime.store.getTask(addId))!.state).toBe(REVOKED);
    await redis.set(gate, "1", "EX", 300);
    await plane.waitForTask(rootId, (t) => t.state === SUCCESS, "the running first step to finish");
    await until("the worker to discard the add step", async () => (await plane.runtime.app.backend.getTaskMeta(addId)).status === REVOKED);
    // Logged before the REVOKED write, but the log line travels through a pipe we read on our own schedule.
    await until("the worker's discard log line", async () => worker.output().includes(`Discarding revoked task: seedflow.add[${addId}]`));
  }, 60_000);

  it("sends a task by name to the Python worker, which runs it with the JSON arguments", async () => {
    const operator = plane.caller("operator");
    const preview = await operator.actions.previewSend({ name: "seedflow.echo", args: [1, "two", { three: [3] }], kwargs: { password: "hunter2", n: null }, options: { queue, priority: 3 } });
    expect(preview).toMatchObject({ queue, args: [1, "two", { three: [3] }], kwargs: { password: "[redacted]", n: null } });
    const { result } = await operator.actions.send({ name: "seedflow.echo", args: [1, "two", { three: [3] }], kwargs: { password: "hunter2", n: null }, options: { queue, priority: 3 }, ...key() });
    await until("the echo to finish", async () => (await plane.runtime.app.backend.getTaskMeta(result.taskId)).status === SUCCESS);
    expect((await plane.runtime.app.backend.getTaskMeta(result.taskId)).result).toEqual({ args: [1, "two", { three: [3] }], kwargs: { password: "hunter2", n: null } });
  }, 60_000);

  it("controls one worker: pool grow, rate and time limits, add and cancel a consumer, with the worker's replies", async () => {
    const operator = plane.caller("operator");
    const hostname = worker.hostname;
    const control = async (action: Parameters<typeof operator.actions.controlWorker>[0]["action"]) => (await operator.actions.controlWorker({ hostname, action, ...key() })).result.replies;
    expect(await control({ command: "rateLimit", taskName: "seedflow.add", rateLimit: "10/s" })).toEqual([{ [hostname]: { ok: "new rate limit set successfully" } }]);
    expect(await control({ command: "timeLimit", taskName: "seedflow.add", soft: 10, hard: 20 })).toEqual([{ [hostname]: { ok: "time limits set successfully" } }]);
    expect(await control({ command: "poolGrow", n: 1 })).toEqual([{ [hostname]: { ok: "pool will grow" } }]);
    expect(await control({ command: "poolShrink", n: 1 })).toEqual([{ [hostname]: { ok: "pool will shrink" } }]);
    const extra = `${queue}.extra`;
    expect(await control({ command: "addConsumer", queue: extra })).toEqual([{ [hostname]: { ok: `add consumer ${extra}` } }]);
    expect(await control({ command: "cancelConsumer", queue: extra })).toEqual([{ [hostname]: { ok: `no longer consuming from ${extra}` } }]);
    // Addressed to one worker: another name gets no reply.
    expect((await operator.actions.controlWorker({ hostname: "nobody@nowhere", action: { command: "poolGrow", n: 1 }, ...key() })).result.replies).toEqual([]);
  }, 60_000);

  it("relaunches a whole workflow under new ids with the same shape, linked to the old root; failedOnly retries only the failed step", async () => {
    const { rootId, postToApiId } = await failedLogin();
    const operator = plane.caller("operator");

    const onlyFailed = await operator.actions.previewRelaunch({ rootId, mode: "failedOnly" });
    expect(onlyFailed.retries.map((retry) => retry.taskId)).toEqual([postToApiId]);

    await redis.set(apiSwitch, "1");
    const preview = await operator.actions.previewRelaunch({ rootId, mode: "all" });
    expect(preview.message).toMatchObject({ name: "seedflow.check_device", args: ["u1", "pixel-9"], retries: 0 });
    const newRootId = preview.message!.taskId;
    expect(newRootId).not.toBe(rootId);
    const { result } = await operator.actions.relaunch({ rootId, mode: "all", ...key() });
    expect(result.newRootId).not.toBe(rootId);
    const relaunched = result.newRootId!;

    const names = async (id: string) => (await plane.runtime.store.getWorkflow(id)).nodes.map((node) => node.name).sort();
    const old = await plane.runtime.store.getWorkflow(rootId);
    const deadline = Date.now() + 30_000;
    let fresh = await plane.runtime.store.getWorkflow(relaunched);
    while (!(fresh.nodes.length === old.nodes.length && fresh.nodes.every((node) => node.state === SUCCESS))) {
      if (Date.now() > deadline) throw new Error(`relaunched workflow did not complete: ${JSON.stringify(fresh.nodes)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      fresh = await plane.runtime.store.getWorkflow(relaunched);
    }
    expect(await names(relaunched)).toEqual(await names(rootId));
    const oldIds = new Set(old.nodes.map((node) => node.id));
    expect(fresh.nodes.some((node) => oldIds.has(node.id))).toBe(false);
    for (const id of [rootId, relaunched]) expect((await plane.runtime.store.getWorkflow(id)).edges).toContainEqual({ fromId: rootId, toId: relaunched, kind: "relaunch" });
    // The old workflow is untouched: its failed step stays failed.
    expect((await plane.runtime.store.getTask(postToApiId))!.state).toBe(FAILURE);

    const { result: retried } = await operator.actions.relaunch({ rootId, mode: "failedOnly", ...key() });
    expect(retried.sentIds).toEqual([postToApiId]);
    await plane.waitForTask(postToApiId, (t) => t.state === SUCCESS, "the failed step to succeed").catch((error: Error) => {
      throw new Error(`${error.message}\n${worker.output().slice(-6000)}`);
    });
  }, 120_000);

  it("shuts the worker down (last: the worker is gone afterwards)", async () => {
    const operator = plane.caller("operator");
    const preview = await operator.actions.previewControlWorker({ hostname: worker.hostname, action: { command: "shutdown" } });
    expect(preview.description).toMatch(/Warm shutdown/);
    await operator.actions.controlWorker({ hostname: worker.hostname, action: { command: "shutdown" }, ...key() });
    await until("the worker to shut down", async () => worker.output().includes("Got shutdown from remote"));
    await until("the worker to stop answering pings", async () => (await plane.runtime.app.control.ping({ destination: [worker.hostname], timeout: 500 })).length === 0);
  }, 60_000);
});
