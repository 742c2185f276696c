// EventReceiver's deferAck option: durable deliveries acked once an owner-side write is durable,
// without holding up the deliveries behind them.

import { describe, expect, it } from "vitest";
import { type CeleryEvent, EventReceiver } from "../../../src/celery/index";
import { RecordingBroker } from "./recording-broker";

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

const event = (uuid: string) => JSON.stringify({ hostname: "celery@w1", utcoffset: 0, pid: 1, clock: 5, uuid, timestamp: 1795504442.5, type: "task-started" });

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("EventReceiver deferAck", () => {
  it("handles later deliveries while earlier ones wait, then acks on resolve and requeues on reject", async () => {
    const broker = new RecordingBroker("amqp");
    const events: CeleryEvent[] = [];
    const writes = [deferred(), deferred()];
    let asked = 0;
    const receiver = new EventReceiver(broker, {
      queueName: "celeriac.events",
      durable: true,
      onEvent: (e) => void events.push(e),
      onError: (error) => {
        throw error;
      },
      deferAck: () => writes[asked++]!.promise,
    });
    await receiver.start();
    const first = broker.deliver(event("t1"));
    const second = broker.deliver(event("t2"));
    await settle();
    expect(events.map((e) => ("uuid" in e ? e.uuid : null))).toEqual(["t1", "t2"]);
    expect(broker.settlements).toEqual([]);
    writes[1]!.reject(new Error("store down"));
    await settle();
    expect(broker.settlements).toEqual([{ deliveryTag: second, outcome: "requeue" }]);
    writes[0]!.resolve();
    await settle();
    expect(broker.settlements.at(-1)).toEqual({ deliveryTag: first, outcome: "ack" });
    await receiver.stop();
  });

  it("stop() waits for the pending acks before cancelling the consumer", async () => {
    const broker = new RecordingBroker("amqp");
    const write = deferred();
    const receiver = new EventReceiver(broker, { queueName: "celeriac.events", durable: true, onError: () => undefined, deferAck: () => write.promise });
    await receiver.start();
    const tag = broker.deliver(event("t1"));
    await settle();
    let stopped = false;
    const stopping = receiver.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    write.resolve();
    await stopping;
    expect(broker.settlements).toEqual([{ deliveryTag: tag, outcome: "ack" }]);
  });

  it("is not consulted for a delivery whose handler failed: that one is requeued at once", async () => {
    const broker = new RecordingBroker("amqp");
    let asked = 0;
    const receiver = new EventReceiver(broker, {
      queueName: "celeriac.events",
      durable: true,
      onEvent: () => {
        throw new Error("handler bug");
      },
      onError: () => undefined,
      deferAck: () => {
        asked += 1;
        return Promise.resolve();
      },
    });
    await receiver.start();
    const tag = broker.deliver(event("t1"));
    await settle();
    expect(asked).toBe(0);
    expect(broker.settlements).toEqual([{ deliveryTag: tag, outcome: "requeue" }]);
    await receiver.stop();
  });
});
