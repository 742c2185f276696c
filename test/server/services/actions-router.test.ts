// The actions router on a real Redis broker and backend (no worker: what matters here is what
// reaches the queue and the store): idempotency, roles, CSRF and read-only mode enforced by the
// server, bulk preview/apply with the exact id set, purge confirmation, retry fallbacks.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createBroker } from "../../../src/celery/index";
import type { IngestBatch, TaskObservation } from "../../../src/server/ingest/observation";
import { AMQP_URL, describeWith, REDIS_URL, uniqueName } from "../../support/services";
import { type ControlPlane, startControlPlane } from "./control-plane-harness";

const URL = REDIS_URL.replace(/\/\d*$/, "/9");
const key = () => ({ idempotencyKey: randomUUID() });
const batch = (...tasks: TaskObservation[]): IngestBatch => ({ tasks, workers: [], groups: [], edges: [] });

await describeWith(["redis"], "actions router on Redis", () => {
  const queue = uniqueName("actions");
  let plane: ControlPlane;

  beforeAll(async () => {
    plane = await startControlPlane({ brokerUrl: URL, backendUrl: URL, queue });
  }, 60_000);

  afterAll(async () => {
    await plane?.runtime.app.broker.deleteQueue(queue).catch(() => undefined);
    await plane?.close();
  });

  const depth = () => plane.runtime.app.broker.queueSize(queue);
  const name = () => `test.${uniqueName("task")}`;

  async function sendAndRecord(taskName: string, args: unknown[]): Promise<string> {
    const { result } = await plane.caller("operator").actions.send({ name: taskName, args, options: { queue }, ...key() });
    await plane.waitForTask(result.taskId, (task) => task.messageJson !== undefined, "the captured message");
    return result.taskId;
  }

  it("acts once for one idempotency key: the second submission returns the first result and sends nothing", async () => {
    await plane.runtime.app.broker.purge(queue);
    const operator = plane.caller("operator");
    const submission = { name: name(), args: [1, { api_key: "s3cret" }], options: { queue }, reason: "once", ...key() };
    const first = await operator.actions.send(submission);
    const second = await operator.actions.send(submission);
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ ...first, duplicate: true });
    expect(await depth()).toBe(1);
    const [entry] = await plane.runtime.store.listAudit({ limit: 1, action: "task.send" });
    expect(entry).toMatchObject({ actor: "operator-user", reason: "once", outcome: "ok", target: submission.name });
    // Secrets never reach the audit log.
    expect(JSON.stringify(entry!.input)).not.toContain("s3cret");
    await expect(operator.actions.retry({ taskId: first.result.taskId, idempotencyKey: submission.idempotencyKey })).rejects.toThrow(/already used for task.send/);
  });

  it("refuses every action to a viewer, and mutations without the CSRF token, on the server", async () => {
    const viewer = plane.caller("viewer");
    const taskId = randomUUID();
    const refusals = [
      viewer.actions.previewRetry({ taskId }),
      viewer.actions.retry({ taskId, ...key() }),
      viewer.actions.revoke({ taskId, ...key() }),
      viewer.actions.revokeWorkflow({ rootId: taskId, ...key() }),
      viewer.actions.relaunch({ rootId: taskId, mode: "all", ...key() }),
      viewer.actions.bulk({ action: "revoke", filter: {}, taskIds: [], confirm: true, ...key() }),
      viewer.actions.send({ name: "x.y", ...key() }),
      viewer.actions.controlWorker({ hostname: "w@h", action: { command: "shutdown" }, ...key() }),
      viewer.actions.purge({ queue, confirmQueue: queue, ...key() }),
    ];
    for (const refusal of refusals) await expect(refusal).rejects.toThrow(/needs the (operator|admin) role; you are viewer/);
    await expect(plane.caller("operator").actions.purge({ queue, confirmQueue: queue, ...key() })).rejects.toThrow(/needs the admin role/);
    await expect(plane.caller("operator", { csrf: false }).actions.send({ name: "x.y", options: { queue }, ...key() })).rejects.toThrow(/CSRF/);
  });

  it("previews a bulk retry exactly and applies only the previewed id set", async () => {
    await plane.runtime.app.broker.purge(queue);
    const taskName = name();
    const ids = [await sendAndRecord(taskName, [1]), await sendAndRecord(taskName, [2]), await sendAndRecord(taskName, [3])];
    const now = Date.now() / 1000;
    await plane.runtime.store.applyBatch(batch(...ids.slice(0, 2).map((id) => ({ id, source: "event" as const, state: "FAILURE", stateAt: now }))));
    const operator = plane.caller("operator");
    const filter = { name: taskName, state: "FAILURE" };
    const preview = await operator.actions.previewBulk({ action: "retry", filter });
    expect(preview).toMatchObject({ action: "retry", count: 2, skipped: [] });
    expect([...preview.ids].sort()).toEqual(ids.slice(0, 2).sort());

    await expect(operator.actions.bulk({ action: "retry", filter, taskIds: ids, confirm: true, ...key() })).rejects.toThrow(/changed since the preview \(0 new, 1 no longer included\)/);
    expect(await depth()).toBe(3);
    const { result } = await operator.actions.bulk({ action: "retry", filter, taskIds: preview.ids, confirm: true, ...key() });
    expect([...result.done].sort()).toEqual(ids.slice(0, 2).sort());
    expect(await depth()).toBe(5);

    // The retried tasks show RETRY until their new attempt reports: running again, not finished.
    for (const id of ids.slice(0, 2)) expect((await plane.runtime.store.getTask(id))!.state).toBe("RETRY");
    await plane.runtime.store.applyBatch(batch({ id: ids[0]!, source: "event" as const, state: "SUCCESS", stateAt: Date.now() / 1000 + 1 }));
    const revoke = await operator.actions.previewBulk({ action: "revoke", filter: { name: taskName } });
    expect([...revoke.ids].sort()).toEqual([ids[1], ids[2]].sort());
    expect(revoke.skipped.map((task) => task.taskId)).toEqual([ids[0]]);
    await operator.actions.bulk({ action: "revoke", filter: { name: taskName }, taskIds: revoke.ids, confirm: true, ...key() });
    expect((await plane.runtime.store.getTask(ids[2]!))!.state).toBe("REVOKED");
  });

  it("refuses a bulk action over more than 1000 matching tasks", async () => {
    const taskName = name();
    const now = Date.now() / 1000;
    await plane.runtime.store.applyBatch(batch(...Array.from({ length: 1001 }, () => ({ id: randomUUID(), source: "event" as const, state: "PENDING", stateAt: now, name: taskName }))));
    await expect(plane.caller("operator").actions.previewBulk({ action: "revoke", filter: { name: taskName } })).rejects.toThrow(/More than 1000 tasks match this filter/);
  });

  it("retries from result_extended arguments with a warning when no message was captured, and refuses planned or argument-less tasks", async () => {
    await plane.runtime.app.broker.purge(queue);
    const [extended, bare, planned] = [randomUUID(), randomUUID(), randomUUID()];
    await plane.runtime.store.applyBatch(
      batch(
        { id: extended, source: "backend", state: "FAILURE", name: "test.extended", argsJson: "[1, 2]", kwargsJson: '{"k": 3}', queue },
        { id: bare, source: "event", state: "FAILURE", name: "test.bare", argsRepr: "(1, 2)", queue },
        { id: planned, source: "capture", state: "PLANNED", name: "test.planned", messageJson: '{"signature": {"task": "test.planned"}}' },
      ),
    );
    const operator = plane.caller("operator");
    const preview = await operator.actions.previewRetry({ taskId: extended });
    expect(preview).toMatchObject({ source: "resultExtended", message: { taskId: extended, args: [1, 2], kwargs: { k: 3 }, retries: 1, queue, continuation: [] } });
    expect(preview.warnings.join(" ")).toMatch(/the chain after this step cannot resume/);
    await operator.actions.retry({ taskId: extended, ...key() });
    expect(await depth()).toBe(1);
    await expect(operator.actions.previewRetry({ taskId: bare })).rejects.toThrow(/no captured message and no JSON arguments/);
    await expect(operator.actions.previewRetry({ taskId: planned })).rejects.toThrow(/never sent, so there is nothing to retry/);
    await expect(operator.actions.previewRetry({ taskId: randomUUID() })).rejects.toThrow(/No task .* in the history/);
  });

  it("sends a task under a fresh id on request, keeping root and parent", async () => {
    const id = await sendAndRecord(name(), [7]);
    const preview = await plane.caller("operator").actions.previewRetry({ taskId: id, newId: true });
    expect(preview.message.taskId).not.toBe(id);
    expect(preview.message).toMatchObject({ rootId: id, args: [7], retries: 1 });
  });

  it("purges a queue only when its name is typed back, showing the depth first", async () => {
    await plane.runtime.app.broker.purge(queue);
    for (let i = 0; i < 3; i++) await plane.runtime.app.sendTask("test.purged", [i], {}, { queue });
    const admin = plane.caller("admin");
    expect(await admin.actions.previewPurge({ queue })).toMatchObject({ queue, depth: 3 });
    await expect(admin.actions.purge({ queue, confirmQueue: "celery", ...key() })).rejects.toThrow(/Type the queue's name/);
    expect(await depth()).toBe(3);
    expect((await admin.actions.purge({ queue, confirmQueue: queue, ...key() })).result).toEqual({ queue, purged: 3 });
    expect(await depth()).toBe(0);
  });

  it("validates send options and worker commands with field errors", async () => {
    const operator = plane.caller("operator");
    await expect(operator.actions.previewSend({ name: "x.y", options: { countdown: 5, eta: "2026-12-01T00:00:00Z" } })).rejects.toThrow(/countdown or eta, not both/);
    await expect(operator.actions.previewSend({ name: "x.y", options: { priority: 300 } })).rejects.toThrow();
    await expect(operator.actions.previewControlWorker({ hostname: "w@h", action: { command: "rateLimit", taskName: "x.y", rateLimit: "fast" } })).rejects.toThrow(/must look like/);
    const preview = await operator.actions.previewControlWorker({ hostname: "nobody@nowhere", action: { command: "poolGrow", n: 2 } });
    expect(preview).toMatchObject({ command: "poolGrow", description: "Add 2 pool process(es)." });
    expect(preview.warnings.join(" ")).toMatch(/not in the history/);
  });
});

await describeWith(["rabbitmq", "redis"], "actions on RabbitMQ", () => {
  const queue = uniqueName("actions-amqp");
  let plane: ControlPlane;

  beforeAll(async () => {
    // Declared first: the queue sampler's passive declare of a missing queue closes the broker's
    // shared admin channel on RabbitMQ, failing a declare that runs at the same moment.
    const broker = createBroker(AMQP_URL);
    await broker.connect();
    await broker.declareQueue({ name: queue });
    await broker.close();
    plane = await startControlPlane({ brokerUrl: AMQP_URL, backendUrl: URL, queue });
  }, 60_000);

  afterAll(async () => {
    await plane?.close();
    const broker = createBroker(AMQP_URL);
    await broker.connect();
    for (const name of [queue, `${queue}.capture`, `${queue}.events`]) await broker.deleteQueue(name).catch(() => undefined);
    await broker.close();
  });

  it("re-sends a failed task to the same queue with retries + 1", async () => {
    const operator = plane.caller("operator");
    const { result } = await operator.actions.send({ name: "test.amqp", args: [{ n: 1 }], options: { queue }, ...key() });
    await plane.waitForTask(result.taskId, (task) => task.messageJson !== undefined, "the captured message");
    await plane.runtime.store.applyBatch(batch({ id: result.taskId, source: "event", state: "FAILURE", stateAt: Date.now() / 1000 }));
    const preview = await operator.actions.previewRetry({ taskId: result.taskId });
    expect(preview.message).toMatchObject({ taskId: result.taskId, exchange: "", routingKey: queue, queue, retries: 1, args: [{ n: 1 }] });
    await operator.actions.retry({ taskId: result.taskId, ...key() });
    expect(await plane.runtime.app.broker.queueSize(queue)).toBe(2);
  });
});

await describeWith([], "actions in read-only mode", () => {
  it("refuses every mutation, whatever the role", async () => {
    const plane = await startControlPlane({ brokerUrl: "memory://", queue: uniqueName("ro"), readOnly: true });
    try {
      await expect(plane.caller("admin").actions.send({ name: "x.y", ...key() })).rejects.toThrow(/read-only mode/);
      expect((await plane.caller("admin").actions.previewSend({ name: "x.y" })).queue).toBe("celery");
    } finally {
      await plane.close();
    }
  });
});
