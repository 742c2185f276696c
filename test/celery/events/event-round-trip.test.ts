// Our dispatcher to our receiver through real transports: the in-process broker, and a durable
// RabbitMQ queue that keeps events while nobody consumes (what a long-running ingestor needs).

import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { type CeleryEvent, ClusterState, createBroker, EventDispatcher, EventReceiver, LamportClock } from "../../../src/celery/index";
import { AMQP_URL, describeWith, uniqueName } from "../../support/services";

const noErrors = (error: Error) => {
  throw error;
};

it("delivers dispatched events, buffered task.multi batches included, to a receiver on the memory broker", async () => {
  const broker = createBroker(`memory://${uniqueName("events")}`);
  await broker.connect();
  const clock = new LamportClock();
  const errors: Error[] = [];
  const receiver = new EventReceiver(broker, { clock, onError: (error) => void errors.push(error) });
  const capturing = receiver.capture({ limit: 4 });
  await new Promise((resolve) => setTimeout(resolve, 10));
  const worker = new EventDispatcher(broker, { hostname: "celery@ts", buffer: true, clock });
  const uuid = randomUUID();
  await worker.send("worker-online", { freq: 2, active: 0, processed: 0 });
  await Promise.all([worker.send("task-received", { uuid, name: "add", args: "(2, 3)", kwargs: "{}" }), worker.send("task-started", { uuid }), worker.send("task-succeeded", { uuid, result: "5", runtime: 0.001 })]);
  const events = await capturing;
  expect(errors).toEqual([]);
  expect(events.map((e) => e.type)).toEqual(["worker-online", "task-received", "task-started", "task-succeeded"]);
  const state = new ClusterState();
  for (const event of events) state.event(event);
  expect(state.task(uuid)).toMatchObject({ state: "SUCCESS", worker: "celery@ts", result: "5" });
  await broker.close();
});

await describeWith(["rabbitmq"], "a durable event queue on RabbitMQ", () => {
  it("keeps events published while its receiver is stopped, within the caller's x-max-length, and acks what it handled", async () => {
    const broker = createBroker(AMQP_URL);
    await broker.connect();
    const queueName = uniqueName("celeriac.events");
    // celeryev is shared with concurrent suites: a group of our own keeps their events out.
    const group = `test${randomUUID().slice(0, 8)}`;
    const options = { queueName, durable: true, queueArguments: { "x-max-length": 3 }, routingKey: `${group}.#`, onError: noErrors };
    const dispatcher = new EventDispatcher(broker, { hostname: "celery@ts" });
    const uuids = Array.from({ length: 5 }, () => randomUUID());
    try {
      const first: CeleryEvent[] = [];
      const receiver = new EventReceiver(broker, { ...options, onEvent: (event) => void first.push(event) });
      await receiver.start();
      await receiver.stop();
      for (const uuid of uuids) await dispatcher.send(`${group}-started`, { uuid });
      await dispatcher.send(`other${group}-started`, { uuid: "not bound" });
      expect(await broker.queueSize(queueName)).toBe(3);
      const later = await new EventReceiver(broker, options).capture({ limit: 3, timeout: 5_000 });
      expect(later.map((event) => ("uuid" in event ? event.uuid : null))).toEqual(uuids.slice(2));
      expect(first).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await broker.queueSize(queueName)).toBe(0);
    } finally {
      await broker.deleteQueue(queueName);
      await broker.close();
    }
  });
});
