import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AmqpBroker, type Consumer, type Delivery } from "../../../src/celery/index";
import { type PeerConfig, runPython } from "../../support/python-celery";
import { AMQP_URL, REDIS_URL, describeWith, uniqueName } from "../../support/services";

const VECTORS = "/work/shared/celery-reference/vectors";

interface CapturedTask {
  properties: Record<string, unknown>;
  headers: Record<string, unknown>;
  header_types: Record<string, unknown>;
  body_raw: string;
}

interface PythonView {
  types: Record<string, unknown>;
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
  body: string;
}

// Reads one message with py-amqp and reports each header's AMQP type tag as well as its value,
// by wrapping py-amqp's own table reader (it recurses through the module global).
const READ_WITH_PY_AMQP = `
import amqp.serialization as ser
from kombu import Connection
original = ser._read_item
def tagged(buf, offset):
    value, end = original(buf, offset)
    return (chr(buf[offset]), value), end
def types(item):
    tag, value = item
    if isinstance(value, list): return [types(v) for v in value]
    if isinstance(value, dict): return {k: types(v) for k, v in value.items()}
    return tag
def values(item):
    tag, value = item
    if isinstance(value, list): return [values(v) for v in value]
    if isinstance(value, dict): return {k: values(v) for k, v in value.items()}
    return value
with Connection(peer.app.conf.broker_url) as conn:
    channel = conn.default_channel
    ser._read_item = tagged  # only for this one message: the handshake needs the real reader
    msg = channel.basic_get(queue=QUEUE, no_ack=True)
    ser._read_item = original
    headers = msg.properties.pop("application_headers")
    print(json.dumps({"types": {k: types(v) for k, v in headers.items()}, "headers": {k: values(v) for k, v in headers.items()},
                      "properties": msg.properties, "body": msg.body if isinstance(msg.body, str) else msg.body.decode()}))
`;

await describeWith(["rabbitmq", "python-celery"], "AmqpBroker with Python kombu/py-amqp", () => {
  let broker: AmqpBroker;
  const consumers: Consumer[] = [];
  const queues: string[] = [];
  const exchanges: string[] = [];

  beforeAll(async () => {
    broker = new AmqpBroker(AMQP_URL);
    await broker.connect();
  });
  afterAll(async () => {
    for (const consumer of consumers) await consumer.cancel();
    for (const queue of queues) await broker.deleteQueue(queue);
    for (const exchange of exchanges) await broker.deleteExchange(exchange);
    await broker.close();
  });

  function peer(queue: string): PeerConfig {
    return { brokerUrl: AMQP_URL, backendUrl: REDIS_URL, queue };
  }

  async function celeryQueue(): Promise<string> {
    const name = uniqueName("amqp-py");
    await broker.declareQueue({ name });
    queues.push(name);
    exchanges.push(name);
    return name;
  }

  function readInPython(queue: string): Promise<PythonView> {
    return runPython<PythonView>(peer(queue), `QUEUE = ${JSON.stringify(queue)}\n${READ_WITH_PY_AMQP}`);
  }

  it("publishes Celery's task headers with the AMQP field types Python itself writes", async () => {
    const vector = JSON.parse(readFileSync(`${VECTORS}/01_single_task.rabbitmq.json`, "utf8")) as { task_messages: CapturedTask[] };
    const captured = vector.task_messages[0]!;
    const queue = await celeryQueue();
    await broker.publish(
      { body: Buffer.from(captured.body_raw), contentType: "application/json", contentEncoding: "utf-8", headers: captured.headers, properties: captured.properties },
      { exchange: "", routingKey: queue },
    );
    const seen = await readInPython(queue);
    expect(seen.types).toEqual(captured.header_types);
    expect(seen.headers).toEqual(captured.headers);
    expect(seen.properties).toEqual(captured.properties);
    expect(seen.body).toBe(captured.body_raw);
  });

  it("types integers as Python does even where amqplib would pick a byte or a short", async () => {
    const queue = await celeryQueue();
    const headers = { small: 3, negative: -1, wide: 1000, int32: 2 ** 31 - 1, epoch_ms: 1_795_504_491_744, ratio: 2.5, nested: { list: [1, "x", null, true] } };
    await broker.publish({ body: Buffer.from("{}"), contentType: "application/json", contentEncoding: "utf-8", headers, properties: { delivery_mode: 2 } }, { exchange: "", routingKey: queue });
    const seen = await readInPython(queue);
    expect(seen.headers).toEqual(headers);
    // Python writes `L` for ints beyond 32 bits; amqplib can only write `l`, which py-amqp reads as an unsigned int.
    expect(seen.types).toEqual({ small: "I", negative: "I", wide: "I", int32: "I", epoch_ms: "l", ratio: "d", nested: { list: ["I", "S", "V", "t"] } });
  });

  it("consumes a task Python Celery sent and decodes its headers and properties to plain values", async () => {
    const queue = uniqueName("amqp-py-task");
    queues.push(queue);
    exchanges.push(queue);
    const sent = await runPython<{ id: string }>(peer(queue), `r = app.send_task("seedflow.add", (2, 3), queue=${JSON.stringify(queue)}, expires=60, headers={"custom": [1, "two", None]})\nprint(json.dumps({"id": r.id}))`);
    // Declaring with our Celery defaults succeeds only if they match what Celery declared.
    const delivery = await new Promise<Delivery>((resolve, reject) => {
      broker.consume([{ name: queue }], resolve, { prefetch: 1 }).then((consumer) => consumers.push(consumer), reject);
    });
    await delivery.ack();
    expect(delivery.exchange).toBe("");
    expect(delivery.routingKey).toBe(queue);
    expect(delivery.message.contentType).toBe("application/json");
    expect(delivery.message.headers).toMatchObject({
      lang: "py",
      task: "seedflow.add",
      id: sent.id,
      shadow: null,
      eta: null,
      group: null,
      retries: 0,
      timelimit: [null, null],
      root_id: sent.id,
      parent_id: null,
      argsrepr: "(2, 3)",
      kwargsrepr: "{}",
      ignore_result: false,
      custom: [1, "two", null],
    });
    expect(typeof delivery.message.headers.expires).toBe("string");
    expect(delivery.message.properties).toMatchObject({ correlation_id: sent.id, delivery_mode: 2 });
    expect(Number(delivery.message.properties.expiration)).toBeGreaterThan(0);
    expect(JSON.parse(delivery.message.body.toString())).toEqual([[2, 3], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]);
  });

  it("declares the event and remote-control entities exactly as Celery does", async () => {
    const namespace = uniqueName("amqp-py-ns");
    // Python declares first, like a running worker would; our declarations must be equivalent
    // or RabbitMQ refuses them with PRECONDITION_FAILED.
    const declared = await runPython<{ control: string; reply: string; replyKey: string; event: string }>(
      peer("unused"),
      `from kombu import Connection, Exchange, Queue
from kombu.pidbox import Mailbox
ns = ${JSON.stringify(namespace)}
app.conf.event_exchange = ns + ".ev"
from celery.events import EventReceiver
with Connection(app.conf.broker_url) as conn:
    mailbox = Mailbox(ns, type="fanout", accept=["json"], queue_ttl=300.0, reply_queue_ttl=300.0, queue_expires=10.0, reply_queue_expires=10.0)(conn)
    control = mailbox.get_queue("worker@" + ns)
    reply = mailbox.reply_queue
    event = EventReceiver(conn, app=app, handlers={}).queue
    for q in (control, reply, event):
        q(conn.default_channel).declare()
    print(json.dumps({"control": control.name, "reply": reply.name, "replyKey": reply.routing_key, "event": event.name}))`,
    );
    queues.push(declared.control, declared.reply, declared.event);
    exchanges.push(`${namespace}.pidbox`, `reply.${namespace}.pidbox`, `${namespace}.ev`);
    const controlArgs = { "x-message-ttl": 300000, "x-expires": 10000 };
    await broker.declareQueue({
      name: declared.control,
      exchange: { name: `${namespace}.pidbox`, type: "fanout", durable: false },
      routingKey: "",
      durable: false,
      autoDelete: true,
      arguments: controlArgs,
    });
    await broker.declareQueue({
      name: declared.reply,
      exchange: { name: `reply.${namespace}.pidbox`, type: "direct", durable: false },
      routingKey: declared.replyKey,
      durable: false,
      autoDelete: true,
      arguments: controlArgs,
    });
    await broker.declareQueue({
      name: declared.event,
      exchange: { name: `${namespace}.ev`, type: "topic" },
      routingKey: "#",
      durable: false,
      autoDelete: true,
      arguments: { "x-message-ttl": 5000, "x-expires": 60000 },
    });
    // The check has teeth: a durable control exchange is not what Celery declared.
    await expect(broker.declareExchange({ name: `${namespace}.pidbox`, type: "fanout" })).rejects.toThrow(/PRECONDITION_FAILED/);
  });
});
