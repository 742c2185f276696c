import { afterEach, describe, expect, it } from "vitest";
import {
  Celery,
  type CeleryEvent,
  MemoryBackend,
  MemoryBroker,
  type Worker,
  chain,
  chord,
  currentTask,
  group,
  parseEvent,
  pyJsonParse,
} from "../../../src/celery/index";
import { uniqueName } from "../../support/services";

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Setup {
  app: Celery;
  worker: Worker;
  events: CeleryEvent[];
  queue: string;
}

const running: Worker[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((worker) => worker.stop()));
});

async function setup(define: (app: Celery) => void, options: { acksLate?: boolean; trackStarted?: boolean } = {}): Promise<Setup> {
  const queue = uniqueName("worker");
  const broker = new MemoryBroker();
  const app = new Celery({ broker, backend: new MemoryBackend(), defaultQueue: queue });
  define(app);
  await app.connect();
  const events: CeleryEvent[] = [];
  await broker.declareExchange({ name: "celeryev", type: "topic" });
  await broker.declareQueue({ name: `${queue}.ev`, exchange: { name: "celeryev", type: "topic" }, routingKey: "#" });
  await broker.consume([{ name: `${queue}.ev`, exchange: { name: "celeryev", type: "topic" }, routingKey: "#" }], (delivery) => {
    const body = pyJsonParse(delivery.message.body.toString("utf8"));
    for (const event of Array.isArray(body) ? body : [body]) events.push(parseEvent(event));
  }, { noAck: true });
  const worker = app.worker({ queues: [queue], concurrency: 4, hostname: `ts-${queue}@test`, sendEvents: true, logger: quiet, heartbeatInterval: 60, ...options });
  running.push(worker);
  await worker.start();
  return { app, worker, events, queue };
}

describe("a worker running TypeScript tasks", () => {
  it("stores SUCCESS with the result_extended fields and sends the task events in order", async () => {
    const { app, events, queue, worker } = await setup((app) => {
      app.task("tasks.add", (x: number, y: number) => x + y);
    }, { trackStarted: true });
    const result = await app.sendTask("tasks.add", [2, 3]);
    expect(await result.get({ timeout: 5000 })).toBe(5);
    expect(await result.meta()).toMatchObject({ status: "SUCCESS", result: 5, children: [], name: "tasks.add", args: [2, 3], kwargs: {}, worker: worker.hostname, retries: 0, queue });
    await waitFor(() => events.some((event) => event.type === "task-succeeded"));
    const types = events.filter((event) => "uuid" in event && event.uuid === result.id).map((event) => event.type);
    expect(types).toEqual(["task-received", "task-started", "task-succeeded"]);
    expect(events.find((event) => event.type === "task-succeeded")).toMatchObject({ result: "5", hostname: worker.hostname });
    expect(events.some((event) => event.type === "worker-online")).toBe(true);
  });

  it("passes kwargs as a last argument and gives the task its request through currentTask()", async () => {
    const { app } = await setup((app) => {
      app.task("tasks.whoami", (greeting: string, options: { punctuation: string }) => `${greeting} ${currentTask().request.id}${options.punctuation}`);
    });
    const result = await app.sendTask("tasks.whoami", ["hi"], { punctuation: "!" });
    expect(await result.get({ timeout: 5000 })).toBe(`hi ${result.id}!`);
  });

  it("gives each of several concurrent async tasks its own request after its awaits", async () => {
    const { app } = await setup((app) => {
      app.task("tasks.later", async (delay: number) => {
        const before = currentTask().request.id;
        await new Promise((resolve) => setTimeout(resolve, delay));
        await Promise.resolve();
        return [before, currentTask().request.id];
      });
    });
    const results = await Promise.all([40, 5, 25, 1, 15, 30].map((delay) => app.sendTask("tasks.later", [delay])));
    for (const result of results) expect(await result.get({ timeout: 5000 })).toEqual([result.id, result.id]);
  });

  it("gives a synchronous task its request on every call, and a promise-returning plain function its request in callbacks", async () => {
    const { app } = await setup((app) => {
      app.task("tasks.sync", () => currentTask().request.id);
      app.task("tasks.then", (delay: number) => new Promise((resolve) => setTimeout(resolve, delay)).then(() => currentTask().request.id));
    });
    // Sequentially and at once: after its first call the sync task runs without async propagation.
    for (let i = 0; i < 3; i++) {
      const result = await app.sendTask("tasks.sync", []);
      expect(await result.get({ timeout: 5000 })).toBe(result.id);
    }
    const mixed = await Promise.all([app.sendTask("tasks.then", [20]), app.sendTask("tasks.sync", []), app.sendTask("tasks.then", [1]), app.sendTask("tasks.sync", [])]);
    for (const result of mixed) expect(await result.get({ timeout: 5000 })).toBe(result.id);
  });

  it("stores FAILURE with Celery's exception document and keeps running", async () => {
    const { app, events } = await setup((app) => {
      app.task("tasks.fail", () => {
        throw new RangeError("bad input");
      });
      app.task("tasks.ok", () => "fine");
    });
    const failed = await app.sendTask("tasks.fail", []);
    await expect(failed.get({ timeout: 5000 })).rejects.toThrow(/ValueError/);
    const meta = await failed.meta();
    expect(meta.status).toBe("FAILURE");
    expect(meta.result).toEqual({ exc_type: "ValueError", exc_message: ["bad input"], exc_module: "builtins" });
    expect(meta.traceback).toContain("ValueError: bad input");
    expect(await (await app.sendTask("tasks.ok", [])).get({ timeout: 5000 })).toBe("fine");
    await waitFor(() => events.some((event) => event.type === "task-failed"));
    expect(events.find((event) => event.type === "task-failed")).toMatchObject({ exception: "ValueError('bad input')" });
  });

  it("rejects an unknown task, stores NotRegistered where Celery does and keeps running", async () => {
    const { app, events } = await setup((app) => {
      app.task("tasks.ok", () => "fine");
    });
    const unknown = await app.sendTask("tasks.nobody", [1]);
    await expect(unknown.get({ timeout: 5000 })).rejects.toThrow(/NotRegistered/);
    expect((await unknown.meta()).result).toEqual({ exc_type: "NotRegistered", exc_message: ["tasks.nobody"], exc_module: "celery.exceptions" });
    expect(await (await app.sendTask("tasks.ok", [])).get({ timeout: 5000 })).toBe("fine");
    // Events leave with the dispatcher's next buffered flush, not before the worker moves on.
    await waitFor(() => events.some((event) => event.type === "task-failed"));
    expect(events.find((event) => event.type === "task-failed")).toMatchObject({ uuid: unknown.id, exception: "NotRegistered('tasks.nobody')" });
  });

  it("rejects a malformed message without requeueing it and keeps running", async () => {
    const { app, queue } = await setup((app) => {
      app.task("tasks.ok", () => "fine");
    });
    await app.broker.publish({ body: Buffer.from("not json"), contentType: "application/json", contentEncoding: "utf-8", headers: { task: "tasks.ok", id: "x" }, properties: {} }, { exchange: "", routingKey: queue });
    expect(await (await app.sendTask("tasks.ok", [])).get({ timeout: 5000 })).toBe("fine");
    expect(await app.broker.queueSize(queue)).toBe(0);
  });

  it("runs a chain, each step getting the previous result, with parent ids and children recorded", async () => {
    const { app } = await setup((app) => {
      app.task("tasks.add", (x: number, y: number) => x + y);
    });
    const add = app.task<[number, number], number>("tasks.add");
    const result = await chain(add.s(2, 2), add.s(4), add.s(8)).applyAsync();
    expect(await result.get({ timeout: 5000 })).toBe(16);
    const last = await app.asyncResult(result.id).meta();
    const middle = app.asyncResult(last.parent_id as string);
    // As in Celery, a step stores its own result only after it sent the next one: the last step
    // can be done before the earlier ones have written theirs.
    expect(await middle.get({ timeout: 5000 })).toBe(8);
    const middleMeta = await middle.meta();
    expect(middleMeta.result).toBe(8);
    const firstResult = app.asyncResult(middleMeta.parent_id as string);
    expect(await firstResult.get({ timeout: 5000 })).toBe(4);
    const first = await firstResult.meta();
    expect(first.result).toBe(4);
    expect(first.children).toEqual([[[middle.id, null], null]]);
  });

  it("joins a chord once, with results in group_index order, even when members finish out of order", async () => {
    const { app } = await setup((app) => {
      app.task("tasks.slow", async (value: number) => {
        await new Promise((resolve) => setTimeout(resolve, (5 - value) * 20));
        return value;
      });
      app.task("tasks.collect", (values: number[]) => values);
    });
    const slow = app.task<[number], number>("tasks.slow");
    const collect = app.task<[number[]], number[]>("tasks.collect");
    const result = await chord([0, 1, 2, 3, 4].map((value) => slow.s(value)), collect.s()).applyAsync();
    expect(await result.get({ timeout: 5000 })).toEqual([0, 1, 2, 3, 4]);
  });

  it("fails the chord body with ChordError when a header member fails", async () => {
    const { app } = await setup((app) => {
      app.task("tasks.maybe", (value: number) => {
        if (value === 1) throw new Error("member failed");
        return value;
      });
      app.task("tasks.collect", (values: number[]) => values);
    });
    const maybe = app.task<[number], number>("tasks.maybe");
    const collect = app.task<[number[]], number[]>("tasks.collect");
    const result = await chord([0, 1, 2].map((value) => maybe.s(value)), collect.s()).applyAsync();
    await expect(result.get({ timeout: 5000 })).rejects.toThrow(/ChordError/);
    const meta = await app.asyncResult(result.id).meta();
    expect(meta.result).toMatchObject({ exc_type: "ChordError", exc_module: "celery.exceptions" });
    expect(String((meta.result as { exc_message: string[] }).exc_message[0])).toMatch(/^Dependency .+ raised Exception\('member failed'\)$/);
  });

  it("runs a group inside a chain as a chord and feeds the next step", async () => {
    const { app } = await setup((app) => {
      app.task("tasks.add", (x: number, y: number) => x + y);
      app.task("tasks.tsum", (values: number[]) => values.reduce((a, b) => a + b, 0));
    });
    const add = app.task<[number, number], number>("tasks.add");
    const tsum = app.task<[number[]], number>("tasks.tsum");
    const result = await chain(add.s(1, 1), group(add.s(10), add.s(20)), tsum.s()).applyAsync();
    expect(await result.get({ timeout: 5000 })).toBe(34);
  });

  it("calls link callbacks with the result, and in-process errbacks with request, error and traceback", async () => {
    const seen: unknown[] = [];
    const { app } = await setup((app) => {
      app.task("tasks.add", (x: number, y: number) => x + y);
      app.task("tasks.record", (value: unknown) => {
        seen.push(value);
        return value;
      });
      app.task("tasks.fail", () => {
        throw new TypeError("nope");
      });
      app.task("tasks.on_error", (request: { id: string }, error: Error, traceback: string) => {
        seen.push({ id: request.id, error: error.message, traceback: traceback.includes("TypeError: nope") });
      });
    });
    const linked = await app.sendTask("tasks.add", [1, 2], {}, { link: app.task("tasks.record").s().toDict() });
    expect(await linked.get({ timeout: 5000 })).toBe(3);
    const child = (await linked.meta()).children?.[0]?.[0]?.[0] as string;
    expect(await app.asyncResult(child).get({ timeout: 5000 })).toBe(3);
    const failed = await app.sendTask("tasks.fail", [], {}, { link_error: app.task("tasks.on_error").s().toDict() });
    await expect(failed.get({ timeout: 5000 })).rejects.toThrow(/TypeError/);
    await waitFor(() => seen.length === 2);
    expect(seen[1]).toEqual({ id: failed.id, error: "nope", traceback: true });
  });

  it("retries with the same id and retries+1, storing RETRY and then the final result", async () => {
    let attempts = 0;
    const { app, events } = await setup((app) => {
      app.task("tasks.flaky", () => {
        attempts += 1;
        if (attempts < 3) return currentTask().retry({ countdown: 0.05, exc: new Error(`attempt ${attempts}`) });
        return `ok after ${currentTask().request.retries} retries`;
      });
    });
    const result = await app.sendTask("tasks.flaky", []);
    expect(await result.get({ timeout: 5000 })).toBe("ok after 2 retries");
    expect(await result.meta()).toMatchObject({ retries: 2, parent_id: result.id });
    expect(events.filter((event) => event.type === "task-retried").map((event) => (event as { exception?: string }).exception)).toEqual(["Exception('attempt 1')", "Exception('attempt 2')"]);
  });

  it("autoretries listed errors and fails with the original error when retries run out", async () => {
    class Flaky extends Error {}
    let attempts = 0;
    const { app } = await setup((app) => {
      app.task(
        "tasks.always_flaky",
        () => {
          attempts += 1;
          throw new Flaky(`attempt ${attempts}`);
        },
        { autoretryFor: [Flaky], maxRetries: 2, retryKwargs: { countdown: 0.05 } },
      );
    });
    const result = await app.sendTask("tasks.always_flaky", []);
    await expect(result.get({ timeout: 10_000 })).rejects.toThrow(/attempt 3/);
    expect(attempts).toBe(3);
    expect(await result.meta()).toMatchObject({ status: "FAILURE", retries: 2 });
  });

  it("holds an ETA task without blocking other tasks, and revokes an expired one", async () => {
    const order: string[] = [];
    const { app } = await setup((app) => {
      app.task("tasks.mark", (name: string) => {
        order.push(name);
        return name;
      });
    });
    const later = await app.sendTask("tasks.mark", ["later"], {}, { countdown: 0.3 });
    const now = await app.sendTask("tasks.mark", ["now"]);
    const expired = await app.sendTask("tasks.mark", ["expired"], {}, { expires: new Date(Date.now() - 1000) });
    await later.get({ timeout: 5000 });
    await now.get({ timeout: 5000 });
    expect(order).toEqual(["now", "later"]);
    await expect(expired.get({ timeout: 5000 })).rejects.toThrow(/expired/);
    expect(await expired.state()).toBe("REVOKED");
  });

  it("fails a task that passes its hard time limit and aborts its signal at the soft one", async () => {
    let softReason: unknown;
    const { app } = await setup((app) => {
      app.task("tasks.sleepy", async () => {
        const signal = currentTask().signal;
        signal.addEventListener("abort", () => (softReason = signal.reason));
        await new Promise((resolve) => setTimeout(resolve, 2000));
      });
    });
    const result = await app.sendTask("tasks.sleepy", [], {}, { soft_time_limit: 0.05, time_limit: 0.2 });
    await expect(result.get({ timeout: 5000 })).rejects.toThrow(/TimeLimitExceeded/);
    expect((softReason as Error).name).toBe("SoftTimeLimitExceeded");
    expect((await result.meta()).result).toMatchObject({ exc_type: "TimeLimitExceeded", exc_module: "billiard.exceptions" });
  });

  it("acks late tasks only after they ran, so a stopped worker leaves them queued", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { app, worker, queue } = await setup((app) => {
      app.task("tasks.blocked", async () => {
        await gate;
        return "done";
      }, { acksLate: true });
    });
    const result = await app.sendTask("tasks.blocked", []);
    await waitFor(() => worker.active(false).length === 1);
    expect(worker.active(false)[0]).toMatchObject({ id: result.id, acknowledged: false });
    const stopped = worker.stop({ cold: true });
    await stopped;
    release();
    await waitFor(async () => (await app.broker.queueSize(queue)) === 1);
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("warm shutdown", () => {
  it("finishes the running task, returns held ETA messages to the queue and says worker-offline", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { app, worker, queue, events } = await setup((app) => {
      app.task("tasks.blocked", async () => {
        await gate;
        return "done";
      });
      app.task("tasks.later", () => "later");
    });
    const running = await app.sendTask("tasks.blocked", []);
    await app.sendTask("tasks.later", [], {}, { countdown: 60 });
    await waitFor(() => worker.active(false).length === 1 && worker.scheduled().length === 1);
    const stopped = worker.stop();
    setTimeout(release, 50);
    await stopped;
    expect(await running.get({ timeout: 5000 })).toBe("done");
    expect(await app.broker.queueSize(queue)).toBe(1);
    await waitFor(() => events.some((event) => event.type === "worker-offline"));
  });
});
