// The threads pool: tasks run in worker threads that loaded the app module, so CPU-bound work does
// not stop the worker answering, limits and terminate stop a busy task by ending its thread, and
// retries, autoretry, errors and chains behave as on the async pool.

import { threadId } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AsyncResult, chain, ImproperlyConfigured, TaskFailedError, type Worker } from "../../../src/celery/index";
import { app } from "./fixtures/thread-app";

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const hostname = "threads@test";
const threads = { module: new URL("./fixtures/thread-app.ts", import.meta.url), preload: ["tsx/esm/api"] };

async function failureOf(result: AsyncResult): Promise<TaskFailedError> {
  const error = await result.get({ timeout: 10_000 }).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TaskFailedError);
  return error as TaskFailedError;
}

describe("threads pool", () => {
  let worker: Worker;

  beforeAll(async () => {
    await app.connect();
    worker = app.worker({ queues: ["threads"], concurrency: 2, pool: "threads", threads, hostname, logger: quiet, heartbeatInterval: 60 });
    await worker.start();
  }, 30_000);

  afterAll(async () => {
    await worker?.stop();
    await app.close();
  });

  it("runs each task in a thread of its own and a chain across them, and says so in stats", async () => {
    const where = await (await app.sendTask("threads.where", [])).get({ timeout: 10_000 });
    expect(where).not.toBe(threadId);
    expect(typeof where).toBe("number");
    const last = (await chain(app.task("threads.add").s(1, 2), app.task("threads.add").s(3), app.task("threads.add").s(4)).applyAsync()) as AsyncResult;
    expect(await last.get({ timeout: 10_000 })).toBe(10);
    const stats = await app.control.inspect({ destination: [hostname], timeout: 2000 }).stats();
    expect(stats?.[hostname]).toMatchObject({ pool: { "max-concurrency": 2, implementation: "celeriac:threads" } });
  });

  it("answers remote control while a task holds its thread's CPU", async () => {
    const spinning = await app.sendTask("threads.spin", [3000]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await app.control.ping({ destination: [hostname], timeout: 1000 })).toEqual([{ [hostname]: { ok: "pong" } }]);
    // The pong came back while the spin was still running: the worker's loop was free (on the
    // async pool the spin holds it, and the ping times out).
    expect(await spinning.ready()).toBe(false);
    expect(await spinning.get({ timeout: 10_000 })).toBe(true);
  });

  it("stops a busy task at its hard time limit by ending its thread, and runs the next task on a fresh one", async () => {
    const started = Date.now();
    const error = await failureOf(await app.sendTask("threads.spin_limited", [20_000]));
    expect(error.excType).toBe("TimeLimitExceeded");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await (await app.sendTask("threads.add", [2, 2])).get({ timeout: 10_000 })).toBe(4);
  });

  it("terminates a busy task on revoke --terminate", async () => {
    const spinning = await app.sendTask("threads.spin", [20_000]);
    // Terminate acts on a running task only: wait until the worker lists it as active.
    const deadline = Date.now() + 5000;
    const isActive = async () => (await app.control.inspect({ destination: [hostname], timeout: 1000 }).active())?.[hostname]?.some((task) => task.id === spinning.id) ?? false;
    while (!(await isActive()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await app.control.revoke(spinning.id, { terminate: true });
    const error = await failureOf(spinning);
    expect(error.excType).toBe("TaskRevokedError");
    expect(await (await app.sendTask("threads.add", [3, 3])).get({ timeout: 10_000 })).toBe(6);
  });

  it("fails a task whose thread dies under it with WorkerLostError, and goes on with a new thread", async () => {
    const error = await failureOf(await app.sendTask("threads.exit", [3]));
    expect(error).toMatchObject({ excType: "WorkerLostError", excMessage: [expect.stringContaining("exited with code 3")] });
    expect(await (await app.sendTask("threads.add", [5, 5])).get({ timeout: 10_000 })).toBe(10);
  });

  it("grows with pool_grow: three tasks at once run in three threads; shrinks back with pool_shrink", async () => {
    expect(await app.control.poolGrow(1, { destination: [hostname], reply: true, timeout: 5000 })).toEqual([{ [hostname]: { ok: "pool will grow" } }]);
    const results = await Promise.all([1, 2, 3].map(() => app.sendTask("threads.where_after", [400])));
    const threadIds = await Promise.all(results.map((result) => result.get({ timeout: 10_000 })));
    expect(new Set(threadIds).size).toBe(3);
    await app.control.poolShrink(1, { destination: [hostname], reply: true, timeout: 5000 });
    const stats = await app.control.inspect({ destination: [hostname], timeout: 5000 }).stats();
    expect(stats?.[hostname]).toMatchObject({ pool: { "max-concurrency": 2 } });
  });

  it("delivers the soft time limit to the task's signal inside its thread", async () => {
    expect(await (await app.sendTask("threads.cleanup_on_soft_limit", [])).get({ timeout: 10_000 })).toBe("cleaned up after SoftTimeLimitExceeded");
  });

  it("retries: autoretryFor with the module's own error class, and ctx.retry(), each under the same id", async () => {
    const gateway = await app.sendTask("threads.gateway", []);
    expect(await gateway.get({ timeout: 10_000 })).toBe("paid after 2 retries");
    expect((await gateway.meta()).retries).toBe(2);
    expect(await (await app.sendTask("threads.retry_once", [])).get({ timeout: 10_000 })).toBe(1);
  });

  it("records a task's error with its own type, message and the frames of the thread", async () => {
    const error = await failureOf(await app.sendTask("threads.decline", [42]));
    expect(error).toMatchObject({ excType: "PaymentDeclined", excMessage: ["card declined for 42"] });
    expect(error.traceback).toContain("thread-app.ts");
  });
});

describe("threads pool start-up", () => {
  it("refuses to start when a thread cannot load the app module, saying which module and why", async () => {
    const broken = app.worker({ queues: ["threads-broken"], pool: "threads", threads: { module: new URL("./fixtures/no-such-app.ts", import.meta.url), preload: ["tsx/esm/api"] }, concurrency: 1, hostname: "broken@test", logger: quiet });
    const error = await broken.start().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImproperlyConfigured);
    expect((error as Error).message).toMatch(/The threads pool could not load file:.*no-such-app\.ts in a thread: Cannot find module/);
    await broken.stop();
    expect(() => app.worker({ pool: "threads", logger: quiet })).toThrow(/pool "threads" needs threads.module/);
  });
});
