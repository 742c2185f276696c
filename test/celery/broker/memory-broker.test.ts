import { describe, expect, it } from "vitest";
import { MemoryBroker, topicMatches } from "../../../src/celery/index";
import { uniqueName } from "../../support/services";
import { brokerConformance } from "./broker-conformance";

describe("MemoryBroker", () => {
  brokerConformance("memory", () => Promise.resolve(new MemoryBroker()));

  it("shares queues between brokers opened on the same URL, and only those", async () => {
    const world = uniqueName("memory://world");
    const producer = new MemoryBroker(world);
    const worker = new MemoryBroker(world);
    const stranger = new MemoryBroker(uniqueName("memory://other"));
    const queue = uniqueName("shared");
    await producer.publish({ body: Buffer.from("1"), contentType: "application/json", contentEncoding: "utf-8", headers: {}, properties: {} }, { exchange: "", routingKey: queue });
    expect(await worker.queueSize(queue)).toBe(1);
    expect(await stranger.queueSize(queue)).toBe(0);
  });

  it("matches topic bindings with AMQP word semantics", () => {
    expect(topicMatches("stock.#", "stock")).toBe(true);
    expect(topicMatches("stock.*", "stock.usd.nyse")).toBe(false);
    expect(topicMatches("#.nyse", "stock.usd.nyse")).toBe(true);
    expect(topicMatches("*.usd.*", "stock.usd.nyse")).toBe(true);
    expect(topicMatches("stock.usd", "stock.eur")).toBe(false);
  });

  it("refuses work after close with a BrokerConnectionError", async () => {
    const broker = new MemoryBroker();
    await broker.close();
    await expect(broker.queueSize("x")).rejects.toMatchObject({ code: "BROKER_CONNECTION" });
  });
});
