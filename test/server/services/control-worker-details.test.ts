// A worker command that changes what the workers page shows (pool size, queues) is followed by a
// fresh inspect of that worker, so the page shows the change at once instead of at the next
// 30-second round: our TypeScript worker on the in-memory broker, through the real procedures.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Worker } from "../../../src/celery/index";
import { uniqueName } from "../../support/services";
import { type ControlPlane, startControlPlane } from "./control-plane-harness";

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const queue = uniqueName("details");
const hostname = `ts-${queue}@test`;
let plane: ControlPlane;
let worker: Worker;

beforeAll(async () => {
  plane = await startControlPlane({ brokerUrl: "memory://", queue });
  worker = plane.runtime.app.worker({ queues: [queue], concurrency: 2, hostname, logger: quiet, heartbeatInterval: 60 });
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await plane?.close();
});

it("shows the grown pool and the added and cancelled consumer right after each command", async () => {
  const operator = plane.caller("operator");
  const viewer = plane.caller("viewer");
  const shown = async () => (await viewer.history.workers()).find((row) => row.hostname === hostname);
  const control = (action: Parameters<typeof operator.actions.controlWorker>[0]["action"]) => operator.actions.controlWorker({ hostname, action, idempotencyKey: randomUUID() });

  await control({ command: "poolGrow", n: 3 });
  expect(await shown()).toMatchObject({ poolSize: 5, queues: [queue] });
  await control({ command: "addConsumer", queue: `${queue}.extra` });
  expect((await shown())?.queues).toEqual([queue, `${queue}.extra`].sort());
  await control({ command: "cancelConsumer", queue: `${queue}.extra` });
  await control({ command: "poolShrink", n: 1 });
  expect(await shown()).toMatchObject({ poolSize: 4, queues: [queue] });
});
