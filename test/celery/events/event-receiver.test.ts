import { describe, expect, it } from "vitest";
import { type CeleryEvent, ContentDisallowed, DecodeError, EventReceiver, ImproperlyConfigured, LamportClock, MalformedMessage, type TaskSucceededEvent } from "../../../src/celery/index";
import { RecordingBroker } from "./recording-broker";
import { capturedMessages } from "./vectors";

interface Reported {
  error: Error;
  payload: unknown;
}

function receiverOn(broker: RecordingBroker, extra: Partial<ConstructorParameters<typeof EventReceiver>[1]> = {}) {
  const events: CeleryEvent[] = [];
  const errors: Reported[] = [];
  const receiver = new EventReceiver(broker, { onEvent: (event) => void events.push(event), onError: (error, payload) => void errors.push({ error, payload }), ...extra });
  return { receiver, events, errors };
}

/** Lets the receiver's serial processing chain run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

const uuidOf = (e: CeleryEvent) => ("uuid" in e ? e.uuid : undefined);

const event = (type: string, fields: Record<string, unknown> = {}) => JSON.stringify({ hostname: "celery@w1", utcoffset: 0, pid: 1, clock: 5, uuid: "t1", ...fields, timestamp: 1795504442.5, type });

describe("EventReceiver", () => {
  it("declares Celery's celeryev.<uuid> queue: auto-delete, x-message-ttl 5000, x-expires 60000, bound with #, consumed without acks", async () => {
    const broker = new RecordingBroker("amqp");
    const { receiver } = receiverOn(broker);
    await receiver.start();
    expect(receiver.queueName).toMatch(/^celeryev\.[0-9a-f-]{36}$/);
    expect(broker.queues).toEqual([
      {
        name: receiver.queueName,
        exchange: { name: "celeryev", type: "topic", durable: true, autoDelete: false },
        routingKey: "#",
        durable: false,
        autoDelete: true,
        exclusive: false,
        arguments: { "x-message-ttl": 5000, "x-expires": 60000 },
      },
    ]);
    expect(broker.consumeOptions).toEqual({ noAck: true, onError: expect.any(Function), onRecovered: expect.any(Function) });
    await receiver.stop();
    expect(broker.deleted).toEqual([receiver.queueName]);
  });

  it("binds to the fanout celeryev on Redis, with the caller's routing key", async () => {
    const broker = new RecordingBroker("redis");
    const { receiver } = receiverOn(broker, { routingKey: "worker.#" });
    await receiver.start();
    expect(broker.queues[0]).toMatchObject({ exchange: { type: "fanout" }, routingKey: "worker.#" });
    await receiver.stop();
  });

  it("declares a named durable queue with exactly the caller's arguments and consumes with acks", async () => {
    const broker = new RecordingBroker("amqp");
    const { receiver } = receiverOn(broker, { queueName: "celeriac.ingest", durable: true, queueArguments: { "x-max-length": 100000, "x-message-ttl": 86400000 } });
    await receiver.start();
    expect(broker.queues[0]).toMatchObject({ name: "celeriac.ingest", durable: true, autoDelete: false, arguments: { "x-max-length": 100000, "x-message-ttl": 86400000 } });
    expect(broker.consumeOptions).toEqual({ prefetch: 100, onError: expect.any(Function), onRecovered: expect.any(Function) });
    await receiver.stop();
    expect(broker.deleted).toEqual([]);
  });

  it("refuses a durable queue without a name", () => {
    expect(() => new EventReceiver(new RecordingBroker("amqp"), { durable: true, onError: () => undefined })).toThrow(ImproperlyConfigured);
  });

  it("hands over every event of the captured Celery traffic, task.multi arrays included, in wire order", async () => {
    const broker = new RecordingBroker("redis");
    const { receiver, events, errors } = receiverOn(broker);
    await receiver.start();
    const messages = capturedMessages("04_chord", "redis");
    for (const message of messages) broker.deliver(message.body, message.routingKey);
    await settle();
    const expected = messages.flatMap((m) => {
      const body = JSON.parse(m.body) as { type: string; uuid: string } | { type: string; uuid: string }[];
      return (Array.isArray(body) ? body : [body]).map((e) => `${e.type} ${e.uuid}`);
    });
    expect(errors).toEqual([]);
    expect(events.map((e) => `${e.type} ${String(uuidOf(e))}`)).toEqual(expected);
    expect(events.every((e) => typeof e.local_received === "number")).toBe(true);
    await receiver.stop();
  });

  it("routes to the handler of the type, else to '*'", async () => {
    const broker = new RecordingBroker("amqp");
    const seen: string[] = [];
    const { receiver } = receiverOn(broker, {
      handlers: {
        "task-succeeded": (e: TaskSucceededEvent) => void seen.push(`succeeded ${e.result ?? ""}`),
        "*": (e) => void seen.push(`other ${e.type}`),
      },
    });
    await receiver.start();
    broker.deliver(`[${event("task-started")}, ${event("task-succeeded", { result: "5", runtime: 0.1 })}]`);
    await settle();
    expect(seen).toEqual(["other task-started", "succeeded 5"]);
    await receiver.stop();
  });

  it("adjusts the shared clock from worker events and gives task-sent the receiver's clock − 1, as Celery", async () => {
    const broker = new RecordingBroker("amqp");
    const clock = new LamportClock(10);
    const { receiver, events } = receiverOn(broker, { clock });
    await receiver.start();
    broker.deliver(event("task-started", { clock: 50 }), "task.started");
    broker.deliver(event("task-sent", { clock: 3 }), "task.sent");
    broker.deliver(event("task-received", { clock: null }), "task.received");
    await settle();
    expect(events.map((e) => e.clock)).toEqual([50, 50, 53]);
    expect(clock.value).toBe(53);
    await receiver.stop();
  });

  it("reports malformed events with the reason and still handles the rest of the batch", async () => {
    const broker = new RecordingBroker("amqp");
    const { receiver, events, errors } = receiverOn(broker);
    await receiver.start();
    broker.deliver(`[${event("task-started", { uuid: undefined })}, ${event("task-started", { uuid: "t2" })}]`);
    broker.deliver("{not json", "task.started");
    broker.deliver("\x80\x02pickle", "task.started", "application/x-python-serialize");
    await settle();
    expect(events.map(uuidOf)).toEqual(["t2"]);
    expect(errors.map((r) => r.error.constructor)).toEqual([MalformedMessage, DecodeError, ContentDisallowed]);
    expect(errors[0]!.error.message).toMatch(/has no "uuid"/);
    expect(errors[0]!.payload).toMatchObject({ type: "task-started", hostname: "celery@w1" });
    expect(errors[1]!.payload).toBe("{not json");
    await receiver.stop();
  });

  it("reports a handler that throws and goes on with the next event", async () => {
    const broker = new RecordingBroker("amqp");
    const { receiver, errors, events } = receiverOn(broker, {
      handlers: {
        "task-started": () => {
          throw new Error("handler bug");
        },
      },
    });
    await receiver.start();
    broker.deliver(`[${event("task-started")}, ${event("task-succeeded")}]`);
    await settle();
    expect(errors.map((r) => r.error.message)).toEqual(["handler bug"]);
    expect(events.map((e) => e.type)).toEqual(["task-succeeded"]);
    await receiver.stop();
  });

  it("in durable mode acks a delivery only after its async handlers resolved, and requeues it when one failed", async () => {
    const broker = new RecordingBroker("amqp");
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let fail = false;
    const { receiver } = receiverOn(broker, {
      queueName: "celeriac.ingest",
      durable: true,
      onEvent: async () => {
        await gate;
        if (fail) throw new Error("database down");
      },
    });
    await receiver.start();
    const first = broker.deliver(event("task-started"));
    await settle();
    expect(broker.settlements).toEqual([]);
    release();
    await settle();
    expect(broker.settlements).toEqual([{ deliveryTag: first, outcome: "ack" }]);
    fail = true;
    const second = broker.deliver(event("task-started"));
    const bad = broker.deliver("[{}]");
    await settle();
    expect(broker.settlements.slice(1)).toEqual([
      { deliveryTag: second, outcome: "requeue" },
      { deliveryTag: bad, outcome: "ack" },
    ]);
    await receiver.stop();
  });

  it("capture() returns the first `limit` events and stops, or what arrived before `timeout`", async () => {
    const broker = new RecordingBroker("amqp");
    const { receiver } = receiverOn(broker);
    const capturing = receiver.capture({ limit: 2 });
    await settle();
    broker.deliver(`[${event("task-received")}, ${event("task-started")}, ${event("task-succeeded")}]`);
    expect((await capturing).map((e) => e.type)).toEqual(["task-received", "task-started"]);
    expect(receiver.running).toBe(false);
    expect(await receiver.capture({ timeout: 20 })).toEqual([]);
  });
});
