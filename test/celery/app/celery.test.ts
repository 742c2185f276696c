import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type Broker, buildTaskMessage, Celery, chain, type ConsumeOptions, type Consumer, type Delivery, type Message, parseTaskMessage, type PublishTarget, pyJsonStringify, type QueueInfo, type QueueSpec, type SignatureDict,
} from "../../../src/celery/index";
import { uniqueName } from "../../support/services";

/** A Broker that records what the app declares and publishes. */
class RecordingBroker implements Broker {
  readonly driverType = "memory" as const;
  readonly displayUrl = "recording://";
  readonly declared: QueueSpec[] = [];
  readonly published: { message: Message; target: PublishTarget }[] = [];
  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  async declareExchange(): Promise<void> {}
  async declareQueue(queue: QueueSpec): Promise<void> {
    this.declared.push(queue);
  }
  async deleteQueue(): Promise<void> {}
  async publish(message: Message, target: PublishTarget): Promise<void> {
    this.published.push({ message, target });
  }
  async consume(_queues: QueueSpec[], _onDelivery: (delivery: Delivery) => void, _options?: ConsumeOptions): Promise<Consumer> {
    throw new Error("not used");
  }
  async queueSize(): Promise<number> {
    return 0;
  }
  async inspectQueues(names: readonly string[]): Promise<QueueInfo[]> {
    return names.map((name) => ({ name, messages: 0 }));
  }
  async purge(): Promise<number> {
    return 0;
  }
  last() {
    const entry = this.published.at(-1)!;
    return { ...entry, request: parseTaskMessage(entry.message) };
  }
}

function setup(config: Partial<ConstructorParameters<typeof Celery>[0]> = {}) {
  const broker = new RecordingBroker();
  const app = new Celery({ broker, hostname: "vm", ...config });
  return { broker, app };
}

const add = (app: Celery) => app.task<[number, number], number>("seedflow.add");

afterEach(() => {
  vi.useRealTimers();
});

describe("Celery.sendTask against the captured add.delay(2, 3)", () => {
  const record = (JSON.parse(readFileSync("/work/shared/celery-reference/vectors/01_single_task.redis.json", "utf8")) as { task_messages: { envelope: { body: string; headers: Record<string, unknown>; properties: Record<string, unknown> } }[] }).task_messages;

  it.each([
    ["add.delay(2, 3)", 0, {}],
    ["priority=5", 1, { priority: 5 }],
  ])("publishes %s as Celery did: same header bytes, body bytes and target", async (_name, index, options) => {
    const { envelope } = record[index]!;
    const { broker, app } = setup();
    await add(app).applyAsync([2, 3], {}, { task_id: envelope.headers.id as string, ...options });
    const { message, target } = broker.last();
    expect(pyJsonStringify({ ...message.headers, origin: envelope.headers.origin })).toBe(pyJsonStringify(envelope.headers));
    expect(message.headers.origin).toBe(`gen${process.pid}@vm`);
    expect(message.body.toString("base64")).toBe(envelope.body);
    expect(target).toEqual({ exchange: "", routingKey: "celery" });
    expect(message.properties).toEqual({
      correlation_id: envelope.headers.id,
      reply_to: app.oid,
      delivery_mode: 2,
      ...(index === 1 ? { priority: 5 } : {}),
    });
  });
});

describe("Celery routing", () => {
  it("declares the default queue once and routes through the default exchange", async () => {
    const { broker, app } = setup();
    await app.sendTask("a.b");
    await app.sendTask("a.c");
    expect(broker.declared).toEqual([{ name: "celery" }]);
    expect(broker.published.map((p) => p.target)).toEqual([{ exchange: "", routingKey: "celery" }, { exchange: "", routingKey: "celery" }]);
  });

  it("follows taskRoutes by exact name first, then by glob, and lets call options win", async () => {
    const fast = uniqueName("fast");
    const { broker, app } = setup({ taskRoutes: { "seedflow.*": { queue: "seedflow", priority: 7 }, "seedflow.add": { queue: fast } } });
    await app.sendTask("seedflow.add");
    expect(broker.last().target.routingKey).toBe(fast);
    await app.sendTask("seedflow.mul");
    expect(broker.last()).toMatchObject({ target: { routingKey: "seedflow" }, request: { priority: 7 } });
    await app.sendTask("seedflow.mul", [], {}, { queue: "other", priority: 1 });
    expect(broker.last()).toMatchObject({ target: { routingKey: "other" }, request: { priority: 1 } });
    await app.sendTask("misc.task");
    expect(broker.last().target.routingKey).toBe("celery");
  });

  it("accepts a route function and a default queue and priority", async () => {
    const { broker, app } = setup({ taskRoutes: (name) => (name.startsWith("io.") ? { queue: "io" } : undefined), defaultQueue: "work", defaultPriority: 4 });
    await app.sendTask("io.read");
    await app.sendTask("cpu.burn");
    expect(broker.published.map((p) => [p.target.routingKey, p.message.properties.priority])).toEqual([["io", 4], ["work", 4]]);
  });

  it("publishes to a named exchange only when both exchange and routing key are given", async () => {
    const { broker, app } = setup();
    await app.sendTask("a.b", [], {}, { exchange: "tasks", routing_key: "a.b" });
    expect(broker.last().target).toEqual({ exchange: "tasks", routingKey: "a.b" });
    await app.sendTask("a.b", [], {}, { exchange: "tasks" });
    expect(broker.last().target).toEqual({ exchange: "", routingKey: "celery" });
  });

  it("uses a task definition's options under the call's", async () => {
    const { broker, app } = setup();
    const slow = app.task("slow.job", async (n: number) => n * 2, { queue: "slow", time_limit: 60 });
    await slow.delay(1);
    expect(broker.last()).toMatchObject({ target: { routingKey: "slow" }, request: { timelimit: [60, null] } });
    await slow.applyAsync([1], {}, { queue: "fast" });
    expect(broker.last().target.routingKey).toBe("fast");
  });
});

describe("Celery.sendTask options", () => {
  it("turns countdown into an eta and numeric expires into a header and an expiration", async () => {
    vi.useFakeTimers({ now: new Date("2026-03-01T10:00:00.250Z"), toFake: ["Date"] });
    const { broker, app } = setup();
    await app.sendTask("a.b", [], {}, { countdown: 5, expires: 60 });
    const { message } = broker.last();
    expect(message.headers).toMatchObject({ eta: "2026-03-01T10:00:05.250000+00:00", expires: "2026-03-01T10:01:00.250000+00:00" });
    expect(message.properties.expiration).toBe("60000");
  });

  it("computes the expiration of a Date or ISO expires from now", async () => {
    vi.useFakeTimers({ now: new Date("2026-03-01T10:00:00Z"), toFake: ["Date"] });
    const { broker, app } = setup();
    await app.sendTask("a.b", [], {}, { expires: new Date("2026-03-01T10:00:30Z") });
    expect(broker.last().message).toMatchObject({ headers: { expires: "2026-03-01T10:00:30+00:00" }, properties: { expiration: "30000" } });
    await app.sendTask("a.b", [], {}, { expires: "2026-03-01T09:00:00+00:00" });
    expect(broker.last().message).toMatchObject({ headers: { expires: "2026-03-01T09:00:00+00:00" }, properties: { expiration: "0" } });
  });

  it("writes time limits hard first, group fields, parent and root, shadow and custom headers", async () => {
    const { broker, app } = setup();
    const result = await app.sendTask("a.b", [1], { k: 2 }, { time_limit: 30, soft_time_limit: 20, group_id: "g1", group_index: 3, parent_id: "p1", shadow: "nice", headers: { tenant: "acme" } });
    expect(broker.last().request).toMatchObject({
      id: result.id, root_id: result.id, timelimit: [30, 20], group: "g1", group_index: 3, parent_id: "p1", shadow: "nice", headers: { tenant: "acme" }, args: [1], kwargs: { k: 2 },
    });
  });

  it("embeds link, link_error, chain and chord", async () => {
    const { broker, app } = setup();
    const cb = add(app).s(4);
    const eb = app.task("seedflow.on_error").si();
    await app.sendTask("a.b", [], {}, { link: cb.toDict(), link_error: [eb.toDict()], chain: [cb.toDict()], chord: eb.toDict() });
    const { embed } = broker.last().request;
    const cbDict: SignatureDict = { task: "seedflow.add", args: [4], kwargs: {}, options: {}, subtask_type: null, immutable: false };
    expect(embed).toEqual({ callbacks: [cbDict], errbacks: [{ ...eb.toDict() }], chain: [cbDict], chord: eb.toDict() });
  });

  it("calls publish listeners with the message and its target", async () => {
    const { app } = setup();
    const seen: string[] = [];
    const stop = app.onPublish((message, target) => seen.push(`${String(message.headers.task)}->${target.routingKey}`));
    await app.sendTask("a.b");
    stop();
    await app.sendTask("a.c");
    expect(seen).toEqual(["a.b->celery"]);
  });

  it("re-sends a built message as it is: declares the queue, publishes to the target, tells the listeners", async () => {
    const { broker, app } = setup();
    const message = buildTaskMessage({ id: "t-1", task: "a.b", args: [1], origin: "gen1@elsewhere", retries: 3, root_id: "r-1", parent_id: "p-1" });
    const seen: string[] = [];
    app.onPublish((published, target) => seen.push(`${String(published.headers.id)}->${target.exchange}/${target.routingKey}`));
    const result = await app.sendMessage(message, { exchange: "", routingKey: "q1" }, "q1");
    expect(result.id).toBe("t-1");
    expect(broker.declared.map((queue) => queue.name)).toEqual(["q1"]);
    expect(broker.last().message).toBe(message);
    expect(broker.last().request).toMatchObject({ id: "t-1", retries: 3, root_id: "r-1", parent_id: "p-1", origin: "gen1@elsewhere" });
    expect(seen).toEqual(["t-1->/q1"]);
    await expect(app.sendMessage({ ...message, headers: {} }, { exchange: "", routingKey: "q1" })).rejects.toThrow(/no task id header/);
  });
});

describe("Celery identity and results", () => {
  it("has a stable UUID-shaped oid used as reply_to, and origin gen<pid>@<hostname>", async () => {
    const { broker, app } = setup();
    expect(app.oid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(app.oid).not.toBe(setup().app.oid);
    await app.sendTask("a.b");
    expect(broker.last().request.reply_to).toBe(app.oid);
    expect(app.origin).toBe(`gen${process.pid}@vm`);
    expect(app.newId()).not.toBe(app.newId());
  });

  it("returns results without a backend, and reading them says to configure one", async () => {
    const { app } = setup();
    const result = await app.sendTask("a.b");
    await expect(result.get({ timeout: 1 })).rejects.toMatchObject({ code: "IMPROPERLY_CONFIGURED", message: expect.stringMatching(/result backend/) });
  });
});

describe("Task definitions", () => {
  it("registers tasks by name and keeps implementations without running them", () => {
    const { app } = setup();
    const impl = vi.fn(async (x: number, y: number) => x + y);
    const task = app.task("seedflow.add", impl, { queue: "math" });
    expect(app.tasks.get("seedflow.add")).toBe(task);
    expect(task.implementation).toBe(impl);
    expect(app.task("seedflow.add")).toBe(task);
    expect(impl).not.toHaveBeenCalled();
    expect(() => app.task("seedflow.add", async () => 0)).toThrow(/already has an implementation/);
  });

  it("builds signatures exactly as Celery's add.s / add.si", () => {
    const { app } = setup();
    expect(add(app).s(4).toDict()).toEqual({ task: "seedflow.add", args: [4], kwargs: {}, options: {}, subtask_type: null, immutable: false });
    expect(add(app).si(1, 2).toDict()).toMatchObject({ args: [1, 2], immutable: true });
  });

  it("sends map and starmap as one celery.map / celery.starmap message", async () => {
    const { broker, app } = setup();
    const tsum = app.task<[number[]], number>("seedflow.tsum");
    await tsum.map([[1, 2], [3, 4, 5]]).applyAsync();
    expect(broker.last().request).toMatchObject({ task: "celery.map", args: [], kwargs: { task: tsum.s().toDict(), it: [[1, 2], [3, 4, 5]] } });
    await add(app).starmap([[1, 2], [3, 4]]).applyAsync();
    expect(broker.last().request).toMatchObject({ task: "celery.starmap", kwargs: { it: [[1, 2], [3, 4]] } });
  });

  it("sends chunks as a group of celery.starmap messages (group_index null, as captured)", async () => {
    const { broker, app } = setup();
    await add(app).chunks([[0, 0], [1, 1], [2, 2], [3, 3]], 3).applyAsync();
    const requests = broker.published.map((p) => parseTaskMessage(p.message));
    expect(requests.map((r) => [r.task, r.kwargs.it, r.group_index])).toEqual([["celery.starmap", [[0, 0], [1, 1], [2, 2]], null], ["celery.starmap", [[3, 3]], null]]);
    expect(new Set(requests.map((r) => r.group)).size).toBe(1);
  });

  it("sends only the first task of a chain, with the rest reversed in embed.chain", async () => {
    const { broker, app } = setup();
    await chain(add(app).s(2, 2), add(app).s(4), add(app).s(8)).applyAsync();
    expect(broker.published).toHaveLength(1);
    const { request } = broker.last();
    expect(request.args).toEqual([2, 2]);
    expect(request.embed.chain?.map((s) => s.args)).toEqual([[8], [4]]);
    expect(request.embed.chain?.[0]?.options.reply_to).toBe(app.oid);
  });
});
