// Mailbox.broadcast's collection rules over the memory broker, with a hand-written "worker"
// that answers on the reply exchange the way kombu's pidbox Node does.

import { describe, expect, it } from "vitest";
import { type Delivery, LamportClock, Mailbox, MemoryBroker, pyJsonParse, type ControlRequestBody } from "../../../src/celery/index";
import { uniqueName } from "../../support/services";

interface Received {
  body: ControlRequestBody;
  headers: Record<string, unknown>;
}

type Answer = (request: Received) => { body: unknown; headers?: Record<string, unknown> }[];

/** A fake node on the pidbox: records each request and sends back what `answer` returns. */
async function fakeNode(broker: MemoryBroker, answer: Answer): Promise<Received[]> {
  const received: Received[] = [];
  const exchange = { name: "celery.pidbox", type: "fanout" as const, durable: false };
  await broker.consume([{ name: uniqueName("node.celery.pidbox"), exchange, routingKey: "", autoDelete: true }], (delivery: Delivery) => {
    const request = { body: pyJsonParse(delivery.message.body.toString("utf8")) as ControlRequestBody, headers: delivery.message.headers };
    received.push(request);
    if (!request.body.reply_to) return;
    for (const reply of answer(request)) {
      void broker.publish(
        { body: Buffer.from(JSON.stringify(reply.body)), contentType: "application/json", contentEncoding: "utf-8", headers: { ticket: request.body.ticket, clock: 1, ...reply.headers }, properties: { delivery_mode: 1 } },
        { exchange: request.body.reply_to.exchange, routingKey: request.body.reply_to.routing_key },
      );
    }
  }, { noAck: true });
  return received;
}

function setup(): { broker: MemoryBroker; mailbox: Mailbox; errors: Error[] } {
  const broker = new MemoryBroker(`memory://${uniqueName("mailbox")}`);
  const errors: Error[] = [];
  return { broker, mailbox: new Mailbox(broker, { onError: (error) => errors.push(error) }), errors };
}

describe("Mailbox.broadcast", () => {
  it("stops as soon as every destination replied, keeping arrival order and calling onReply", async () => {
    const { broker, mailbox } = setup();
    await fakeNode(broker, () => [{ body: { "a@x": { ok: "pong" } } }, { body: { "b@x": { ok: "pong" } } }, { body: { "c@x": { ok: "pong" } } }]);
    const seen: unknown[] = [];
    const started = Date.now();
    const replies = await mailbox.broadcast("ping", { reply: true, destination: ["a@x", "b@x"], timeout: 5000, onReply: (reply) => seen.push(reply) });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(replies).toEqual([{ "a@x": { ok: "pong" } }, { "b@x": { ok: "pong" } }]);
    expect(seen).toEqual(replies);
  });

  it("collects until the timeout when no limit applies (limit 0 = none, as in kombu)", async () => {
    const { broker, mailbox } = setup();
    await fakeNode(broker, () => [{ body: { "a@x": 1 } }, { body: { "b@x": 2 } }]);
    const started = Date.now();
    expect(await mailbox.broadcast("stats", { reply: true, timeout: 200, limit: 0 })).toEqual([{ "a@x": 1 }, { "b@x": 2 }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
  });

  it("drops replies for another ticket, expired replies and unreadable ones", async () => {
    const { broker, mailbox, errors } = setup();
    await fakeNode(broker, () => [
      { body: { "stale@x": 1 }, headers: { ticket: "someone-else" } },
      { body: { "late@x": 1 }, headers: { expires: Date.now() / 1000 - 5 } },
      { body: ["not", "a", "map"] },
      { body: { "good@x": 1 } },
    ]);
    expect(await mailbox.broadcast("stats", { reply: true, timeout: 200 })).toEqual([{ "good@x": 1 }]);
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining("must be a {nodename: result} object")]);
  });

  it("sends a cast without ticket, reply_to or reply queue, and forwards a pattern only with its matcher", async () => {
    const { broker, mailbox } = setup();
    const received = await fakeNode(broker, () => []);
    expect(await mailbox.broadcast("shutdown", { destination: ["a@x"] })).toEqual([]);
    await mailbox.broadcast("heartbeat", { pattern: "a@*" });
    await mailbox.broadcast("heartbeat", { pattern: "a@*", matcher: "glob" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(received.map((request) => request.body)).toEqual([
      { method: "shutdown", arguments: {}, destination: ["a@x"], pattern: null, matcher: null },
      { method: "heartbeat", arguments: {}, destination: null, pattern: null, matcher: null },
      { method: "heartbeat", arguments: {}, destination: null, pattern: "a@*", matcher: "glob" },
    ]);
    expect(received.map((request) => request.headers.clock)).toEqual([1, 2, 3]);
  });

  it("advances its Lamport clock past the clocks of the replies it reads", async () => {
    const { broker } = setup();
    const clock = new LamportClock();
    const mailbox = new Mailbox(broker, { clock });
    const received = await fakeNode(broker, () => [{ body: { "a@x": 1 }, headers: { clock: 41 } }]);
    await mailbox.broadcast("clock", { reply: true, destination: ["a@x"] });
    expect(clock.value).toBe(42);
    await mailbox.broadcast("clock", { reply: true, destination: ["a@x"] });
    expect(received.map((request) => request.headers.clock)).toEqual([1, 43]);
  });

  it("still returns the replies when removing the reply queue fails, and reports the failure", async () => {
    const { broker, mailbox, errors } = setup();
    await fakeNode(broker, () => [{ body: { "a@x": { ok: "pong" } } }]);
    broker.deleteQueue = () => Promise.reject(new Error("connection lost"));
    expect(await mailbox.broadcast("ping", { reply: true, destination: ["a@x"] })).toEqual([{ "a@x": { ok: "pong" } }]);
    expect(errors.map((error) => error.message)).toEqual([expect.stringMatching(/^Could not remove the reply queue [0-9a-f-]+\.reply\.celery\.pidbox: connection lost$/)]);
  });

  it("refuses a destination that is not a list, saying how to write it", async () => {
    const { mailbox } = setup();
    await expect(mailbox.broadcast("ping", { destination: "a@x" as unknown as string[] })).rejects.toThrow('write destination: ["a@x"]');
  });
});
