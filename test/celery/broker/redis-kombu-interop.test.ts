import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RedisBroker, kombuTopicPattern, type Message } from "../../../src/celery/index";
import { runPython } from "../../support/python-celery";
import { deliveryInbox } from "../../support/delivery-inbox";
import { REDIS_URL, describeWith, uniqueName } from "../../support/services";

const peer = { brokerUrl: REDIS_URL, backendUrl: REDIS_URL, queue: "unused" };

function jsonMessage(value: unknown, priority?: number): Message {
  return {
    body: Buffer.from(JSON.stringify(value)),
    contentType: "application/json",
    contentEncoding: "utf-8",
    headers: { origin: "celeriac", "ünï": "✓" },
    properties: { correlation_id: "corr-1", delivery_mode: 2, ...(priority === undefined ? {} : { priority }) },
  };
}

// python-celery first: its check blocks the event loop (execFileSync), which would time out a
// port check already in flight and skip the file for a wrong reason.
await describeWith(["python-celery", "redis"], "RedisBroker with real kombu 5.2", () => {
  let broker: RedisBroker;
  let redis: Redis;
  beforeAll(async () => {
    broker = new RedisBroker(REDIS_URL);
    await broker.connect();
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await broker.close();
    await redis.quit();
  });

  it("consumes what kombu's SimpleQueue puts, lower priority number first", async () => {
    const queue = uniqueName("kombu-to-ts");
    await runPython(
      peer,
      `
from kombu import Connection
with Connection(${JSON.stringify(REDIS_URL)}) as conn:
    q = conn.SimpleQueue(${JSON.stringify(queue)})
    q.put({"n": 5, "text": "h\\u00e9llo"}, priority=5, headers={"from": "kombu"})
    q.put({"n": 0}, headers={"from": "kombu"})
    q.close()
print(json.dumps(True))
`,
    );
    const received = deliveryInbox();
    const consumer = await broker.consume([{ name: queue }], received.push);
    const first = await received.next();
    const second = await received.next();
    expect(JSON.parse(first.message.body.toString())).toEqual({ n: 0 });
    expect(JSON.parse(second.message.body.toString())).toEqual({ n: 5, text: "héllo" });
    expect(second.message.headers).toEqual({ from: "kombu" });
    expect(second.message.properties.priority).toBe(5);
    expect(second).toMatchObject({ queue, exchange: queue, routingKey: queue, redelivered: false });
    await first.ack();
    await second.ack();
    expect(await redis.hexists("unacked", second.deliveryTag)).toBe(0);
    await consumer.cancel();
    await broker.deleteQueue(queue);
  });

  it("publishes what kombu's SimpleQueue reads, honouring priority buckets", async () => {
    const queue = uniqueName("ts-to-kombu");
    await broker.declareQueue({ name: queue });
    await broker.publish(jsonMessage({ n: 9 }, 9), { exchange: queue, routingKey: queue });
    await broker.publish(jsonMessage({ n: 0, text: "日本" }), { exchange: "", routingKey: queue });
    const got = await runPython<{ payload: unknown; headers: Record<string, unknown>; properties: Record<string, unknown>; delivery_info: Record<string, unknown> }[]>(
      peer,
      `
from kombu import Connection
out = []
with Connection(${JSON.stringify(REDIS_URL)}) as conn:
    q = conn.SimpleQueue(${JSON.stringify(queue)})
    for _ in range(2):
        m = q.get(timeout=10)
        out.append({"payload": m.payload, "headers": m.headers, "properties": {k: v for k, v in m.properties.items() if k in ("correlation_id", "priority", "delivery_mode")}, "delivery_info": {k: m.delivery_info[k] for k in ("exchange", "routing_key")}})
        m.ack()
    q.close()
print(json.dumps(out))
`,
    );
    expect(got.map((m) => m.payload)).toEqual([{ n: 0, text: "日本" }, { n: 9 }]);
    expect(got[0]!.headers).toEqual({ origin: "celeriac", "ünï": "✓" });
    expect(got[0]!.properties).toEqual({ correlation_id: "corr-1", priority: 0, delivery_mode: 2 });
    expect(got[1]!.delivery_info).toEqual({ exchange: queue, routing_key: queue });
    expect(await broker.queueSize(queue)).toBe(0);
    await broker.deleteQueue(queue);
  });

  it("receives a fanout broadcast kombu publishes", async () => {
    const exchange = uniqueName("kombu-fanout");
    const queue = uniqueName("fanout-q");
    const received = deliveryInbox();
    const consumer = await broker.consume([{ name: queue, exchange: { name: exchange, type: "fanout" }, routingKey: "" }], received.push, { noAck: true });
    await runPython(
      peer,
      `
from kombu import Connection, Exchange
ex = Exchange(${JSON.stringify(exchange)}, type="fanout", durable=False)
with Connection(${JSON.stringify(REDIS_URL)}) as conn:
    conn.Producer().publish({"hello": "everyone"}, exchange=ex, routing_key="", declare=[ex])
print(json.dumps(True))
`,
    );
    const delivery = await received.next();
    expect(JSON.parse(delivery.message.body.toString())).toEqual({ hello: "everyone" });
    expect(delivery).toMatchObject({ queue, exchange });
    await consumer.cancel();
    await broker.deleteQueue(queue);
  });

  it("broadcasts over fanout to a kombu consumer", async () => {
    const exchange = uniqueName("ts-fanout");
    const ready = uniqueName("ready");
    await broker.declareExchange({ name: exchange, type: "fanout" });
    const python = runPython<{ payload: unknown; routing_key: string }>(
      peer,
      `
import socket, redis
from kombu import Connection, Exchange, Queue
ex = Exchange(${JSON.stringify(exchange)}, type="fanout", durable=False, auto_delete=True)
q = Queue("bcast-" + ${JSON.stringify(ready)}, exchange=ex, routing_key="", auto_delete=True)
got = []
with Connection(${JSON.stringify(REDIS_URL)}) as conn:
    with conn.Consumer([q], callbacks=[lambda body, m: got.append({"payload": body, "routing_key": m.delivery_info["routing_key"]})], no_ack=True):
        try:
            conn.drain_events(timeout=0.3)
        except socket.timeout:
            pass
        redis.Redis.from_url(${JSON.stringify(REDIS_URL)}).set(${JSON.stringify(ready)}, "1", ex=60)
        while not got:
            conn.drain_events(timeout=10)
print(json.dumps(got[0]))
`,
    );
    while ((await redis.get(ready)) === null) await new Promise((resolve) => setTimeout(resolve, 50));
    await broker.publish(jsonMessage({ to: "all" }), { exchange, routingKey: "" });
    expect(await python).toEqual({ payload: { to: "all" }, routing_key: "" });
    await redis.del(ready, `_kombu.binding.${exchange}`);
  });

  it("computes the same topic regexes as kombu and routes through bindings kombu made", async () => {
    const keys = ["stock.*.nyse", "worker.#", "a-b_c.d", "#", "*.x"];
    const patterns = await runPython<string[]>(
      peer,
      `
from kombu.transport.virtual.exchange import TopicExchange
print(json.dumps([TopicExchange(None).key_to_pattern(k) for k in ${JSON.stringify(keys)}]))
`,
    );
    expect(keys.map(kombuTopicPattern)).toEqual(patterns);

    const exchange = uniqueName("kombu-topic");
    const queue = uniqueName("topic-q");
    await runPython(
      peer,
      `
from kombu import Connection, Exchange, Queue
ex = Exchange(${JSON.stringify(exchange)}, type="topic")
with Connection(${JSON.stringify(REDIS_URL)}) as conn:
    Queue(${JSON.stringify(queue)}, exchange=ex, routing_key="stock.#")(conn.default_channel).declare()
print(json.dumps(True))
`,
    );
    await broker.declareExchange({ name: exchange, type: "topic" });
    await broker.publish(jsonMessage({ s: 1 }), { exchange, routingKey: "stock.usd.nyse" });
    await broker.publish(jsonMessage({ s: 2 }), { exchange, routingKey: "bond.usd" });
    expect(await broker.queueSize(queue)).toBe(1);
    await broker.purge(queue);
    await redis.del(`_kombu.binding.${exchange}`);
  });
});
