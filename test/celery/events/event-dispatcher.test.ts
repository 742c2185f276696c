import { afterEach, describe, expect, it } from "vitest";
import { EventDispatcher, LamportClock, utcoffset } from "../../../src/celery/index";
import { RecordingBroker } from "./recording-broker";
import { capturedMessages } from "./vectors";

/** The exact bytes of one captured event of the given type (RabbitMQ run: bodies are byte-exact), alone or as a one-event task.multi. */
function captured(scenario: string, type: string): { text: string; event: Record<string, unknown> } {
  for (const message of capturedMessages(scenario, "rabbitmq")) {
    const body = JSON.parse(message.body) as Record<string, unknown> | Record<string, unknown>[];
    const event = Array.isArray(body) ? (body.length === 1 ? body[0] : undefined) : body;
    if (event?.type === type) return { text: Array.isArray(body) ? message.body.slice(1, -1) : message.body, event };
  }
  throw new Error(`no lone ${type} in ${scenario}`);
}

/** A dispatcher that will stamp the same hostname, pid and next clock value as the captured event. */
function dispatcherLike(event: Record<string, unknown>, broker: RecordingBroker, options: { buffer?: boolean } = {}): EventDispatcher {
  return new EventDispatcher(broker, { hostname: event.hostname as string, pid: event.pid as number, clock: new LamportClock((event.clock as number) - 1), ...options });
}

function specificFields(event: Record<string, unknown>): Record<string, unknown> {
  const { hostname: _h, utcoffset: _u, pid: _p, clock: _c, type: _t, ...fields } = event;
  return fields;
}

describe("EventDispatcher", () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    process.env.TZ = savedTz;
  });

  it("writes the bytes Celery writes: a captured task-succeeded sent again from the same host, pid and clock is identical", async () => {
    const { text, event } = captured("01_single_task", "task-succeeded");
    const broker = new RecordingBroker("amqp");
    await dispatcherLike(event, broker).send("task-succeeded", specificFields(event) as never);
    // The capture ran in UTC; this machine may not.
    expect(broker.published[0]!.text).toBe(text.replace('"utcoffset": 0,', `"utcoffset": ${utcoffset()},`));
  });

  it("puts the timestamp it takes itself after the specific fields and before type, as Celery's Event()", async () => {
    const { event } = captured("01_single_task", "task-received");
    const { timestamp: _timestamp, ...fields } = specificFields(event);
    const broker = new RecordingBroker("amqp");
    const before = Date.now() / 1000;
    await dispatcherLike(event, broker).send("task-received", fields as never);
    const sent = JSON.parse(broker.published[0]!.text) as Record<string, unknown>;
    expect(Object.keys(sent)).toEqual(Object.keys(event));
    expect(sent.timestamp).toBeGreaterThanOrEqual(before);
  });

  it("gives worker heartbeats Celery's field order", async () => {
    const { event } = captured("00_worker_lifecycle", "worker-heartbeat");
    const broker = new RecordingBroker("amqp");
    await dispatcherLike(event, broker).send("worker-heartbeat", specificFields(event) as never);
    const sent = JSON.parse(broker.published[0]!.text) as Record<string, unknown>;
    expect(Object.keys(sent)).toEqual(Object.keys(event));
  });

  it("publishes to celeryev with routing key = type with dashes as dots, delivery_mode 1 and the hostname header", async () => {
    const broker = new RecordingBroker("amqp");
    const dispatcher = new EventDispatcher(broker, { hostname: "celery@w1" });
    await dispatcher.send("task-started", { uuid: "t1" });
    await dispatcher.send("worker-elect-ack", { id: "e1" });
    expect(broker.published.map((p) => p.target)).toEqual([
      { exchange: "celeryev", routingKey: "task.started" },
      { exchange: "celeryev", routingKey: "worker.elect.ack" },
    ]);
    const { message } = broker.published[0]!;
    expect(message).toMatchObject({ contentType: "application/json", contentEncoding: "utf-8", headers: { hostname: "celery@w1" }, properties: { delivery_mode: 1 } });
  });

  it("declares celeryev once: topic on AMQP and memory, fanout on Redis, as Celery's get_exchange", async () => {
    for (const [driver, type] of [["amqp", "topic"], ["memory", "topic"], ["redis", "fanout"]] as const) {
      const broker = new RecordingBroker(driver);
      const dispatcher = new EventDispatcher(broker, { hostname: "celery@w1" });
      await dispatcher.send("task-started", { uuid: "t1" });
      await dispatcher.send("task-started", { uuid: "t2" });
      expect(broker.exchanges).toEqual([{ name: "celeryev", type, durable: true, autoDelete: false }]);
    }
  });

  it("advances the shared Lamport clock once per event", async () => {
    const clock = new LamportClock(41);
    const broker = new RecordingBroker("amqp");
    const dispatcher = new EventDispatcher(broker, { hostname: "celery@w1", clock });
    await dispatcher.send("task-started", { uuid: "t1" });
    clock.adjust(100);
    await dispatcher.send("task-succeeded", { uuid: "t1", result: "5", runtime: 0.1 });
    expect(broker.published.map((p) => (JSON.parse(p.text) as { clock: number }).clock)).toEqual([42, 102]);
  });

  it("names itself gen<pid>@<host> when no hostname is given, as Celery's anon_nodename", () => {
    const dispatcher = new EventDispatcher(new RecordingBroker("amqp"));
    expect(dispatcher.hostname).toMatch(new RegExp(`^gen${process.pid}@.+`));
  });

  it("sends nothing when disabled or when the group is not among its groups", async () => {
    const broker = new RecordingBroker("amqp");
    const disabled = new EventDispatcher(broker, { hostname: "a", enabled: false });
    await disabled.send("task-started", { uuid: "t1" });
    const workerOnly = new EventDispatcher(broker, { hostname: "b", groups: ["worker"] });
    await workerOnly.send("task-started", { uuid: "t1" });
    await workerOnly.send("worker-heartbeat", { freq: 2 });
    expect(broker.published.map((p) => p.target.routingKey)).toEqual(["worker.heartbeat"]);
    disabled.enable();
    await disabled.send("task-started", { uuid: "t1" });
    expect(broker.published).toHaveLength(2);
  });

  it("computes utcoffset like Python: whole hours, positive west of UTC, floored", () => {
    const cases: [string, string, number][] = [
      ["UTC", "2026-01-15T12:00:00Z", 0],
      ["Europe/Berlin", "2026-01-15T12:00:00Z", -1],
      ["Europe/Berlin", "2026-07-15T12:00:00Z", -2],
      ["America/New_York", "2026-07-15T12:00:00Z", 4],
      ["Asia/Kolkata", "2026-01-15T12:00:00Z", -6],
    ];
    for (const [tz, at, expected] of cases) {
      process.env.TZ = tz;
      expect({ tz, at, offset: utcoffset(new Date(at)) }).toEqual({ tz, at, offset: expected });
    }
  });

  describe("with buffer: true, like a Celery worker", () => {
    it("sends task events together as one JSON array under task.multi, in order", async () => {
      const broker = new RecordingBroker("redis");
      const dispatcher = new EventDispatcher(broker, { hostname: "celery@w1", buffer: true });
      await Promise.all([
        dispatcher.send("task-received", { uuid: "t1", name: "add" }),
        dispatcher.send("task-started", { uuid: "t1" }),
        dispatcher.send("task-succeeded", { uuid: "t1", result: "5", runtime: 0.01 }),
      ]);
      expect(broker.published).toHaveLength(1);
      expect(broker.published[0]!.target).toEqual({ exchange: "celeryev", routingKey: "task.multi" });
      const batch = JSON.parse(broker.published[0]!.text) as { type: string; clock: number }[];
      expect(batch.map((event) => [event.type, event.clock])).toEqual([
        ["task-received", 1],
        ["task-started", 2],
        ["task-succeeded", 3],
      ]);
      expect(broker.published[0]!.text.startsWith('[{"hostname": "celery@w1", ')).toBe(true);
    });

    it("never buffers worker events", async () => {
      const broker = new RecordingBroker("redis");
      const dispatcher = new EventDispatcher(broker, { hostname: "celery@w1", buffer: true });
      const task = dispatcher.send("task-started", { uuid: "t1" });
      await dispatcher.send("worker-heartbeat", { freq: 2, active: 1 });
      expect(broker.published.map((p) => p.target.routingKey)).toEqual(["worker.heartbeat"]);
      await task;
      expect(broker.published.map((p) => p.target.routingKey)).toEqual(["worker.heartbeat", "task.multi"]);
    });

    it("flushes as soon as 24 events wait, then the rest at the next turn", async () => {
      const broker = new RecordingBroker("amqp");
      const dispatcher = new EventDispatcher(broker, { hostname: "celery@w1", buffer: true });
      await Promise.all(Array.from({ length: 30 }, (_, i) => dispatcher.send("task-started", { uuid: `t${i}` })));
      expect(broker.published.map((p) => (JSON.parse(p.text) as unknown[]).length)).toEqual([24, 6]);
    });

    it("publishes what is buffered on flush() and close()", async () => {
      const broker = new RecordingBroker("amqp");
      const dispatcher = new EventDispatcher(broker, { hostname: "celery@w1", buffer: true });
      const first = dispatcher.send("task-started", { uuid: "t1" });
      await dispatcher.flush();
      expect(broker.published).toHaveLength(1);
      await first;
      const second = dispatcher.send("task-started", { uuid: "t2" });
      await dispatcher.close();
      await second;
      expect(broker.published).toHaveLength(2);
      expect(dispatcher.enabled).toBe(false);
    });

    it("rejects every send() of a batch the broker refused", async () => {
      const broker = new RecordingBroker("amqp");
      broker.failPublish = new Error("connection lost");
      const dispatcher = new EventDispatcher(broker, { hostname: "celery@w1", buffer: true });
      const results = await Promise.allSettled([dispatcher.send("task-started", { uuid: "t1" }), dispatcher.send("task-started", { uuid: "t2" })]);
      expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    });
  });
});
