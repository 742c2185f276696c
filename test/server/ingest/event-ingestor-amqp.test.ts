// The durable event queue on a real RabbitMQ: bounded by x-max-length with drop-head while nobody
// consumes, and a clear error when a queue of that name exists with other bounds.

import { afterAll, beforeAll, expect, it } from "vitest";
import { type Broker, createBroker, EventDispatcher } from "../../../src/celery/index";
import { EventIngestor } from "../../../src/server/ingest/event-ingestor";
import { AMQP_URL, describeWith, uniqueName } from "../../support/services";
import { MemoryHistoryWriter } from "./memory-history-writer";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await describeWith(["rabbitmq"], "event ingestor's durable queue on RabbitMQ", () => {
  let broker: Broker;
  const queues: string[] = [];
  // An exchange of our own: other suites' events on this vhost must not fill our small queue.
  const exchange = uniqueName("celeryev");

  beforeAll(async () => {
    broker = createBroker(AMQP_URL);
    await broker.connect();
  });

  afterAll(async () => {
    for (const queue of queues) await broker.deleteQueue(queue);
    await broker.close();
  });

  it("keeps only the newest queueMaxLength events while the ingestor is away, and hands them over on restart", async () => {
    const queueName = uniqueName("celeriac.events");
    queues.push(queueName);
    const make = (writer: MemoryHistoryWriter) => new EventIngestor({ broker, writer, queueName, exchange, queueMaxLength: 10, flushIntervalMs: 20 });
    const first = make(new MemoryHistoryWriter());
    await first.start();
    await first.stop();
    const worker = new EventDispatcher(broker, { hostname: "celery@bounded", exchange });
    for (let i = 0; i < 50; i++) await worker.publish("task-started", { uuid: `t${i}` });
    expect(await broker.queueSize(queueName)).toBe(10);
    const writer = new MemoryHistoryWriter();
    const second = make(writer);
    await second.start();
    const deadline = Date.now() + 10_000;
    while (writer.tasks.size < 10 && Date.now() < deadline) await sleep(20);
    await second.stop();
    expect([...writer.tasks.keys()]).toEqual(Array.from({ length: 10 }, (_, i) => `t${40 + i}`));
  });

  it("start() says which queue exists with other arguments and what to do", async () => {
    const queueName = uniqueName("celeriac.events");
    queues.push(queueName);
    const first = new EventIngestor({ broker, writer: new MemoryHistoryWriter(), queueName, exchange, queueMaxLength: 10 });
    await first.start();
    await first.stop();
    const other = new EventIngestor({ broker, writer: new MemoryHistoryWriter(), queueName, exchange, queueMaxLength: 20, onError: () => undefined });
    await expect(other.start()).rejects.toThrow(`The event queue ${queueName} exists with other arguments (x-max-length: received '20' but current is '10'). Configure the same`);
  });
});
