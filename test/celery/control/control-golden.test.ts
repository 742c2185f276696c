// Golden: replaying the 11_remote_control capture (Celery 5.2.6 `app.control.ping`, `inspect().active()`,
// `revoke(id, terminate=True, reply=True)`) through our Control gives the same requests, byte for
// byte modulo ticket and reply routing key, the same Lamport clock sequence, and the same results.

import { describe, expect, it } from "vitest";
import {
  type Broker,
  type Consumer,
  type Delivery,
  type Message,
  type PublishTarget,
  type QueueSpec,
  Control,
  encodeRedisEnvelope,
} from "../../../src/celery/index";
import { loadVector } from "../../support/vectors";

interface CapturedControl {
  kind: "control request" | "control reply";
  body_decoded: Record<string, unknown> & { ticket?: string; reply_to?: { routing_key: string } };
  raw?: string;
  body_raw?: string;
  envelope?: { headers: Record<string, unknown>; properties: { delivery_tag: string } };
  headers?: Record<string, unknown>;
  exchange?: string;
  routing_keys?: string[];
  properties?: Record<string, unknown>;
}

interface Capture {
  control: CapturedControl[];
  client_report: { sleeper_task_id: string; ping: unknown; inspect_active: unknown; revoke: unknown; client_reply_queue_declaration: Record<string, unknown> };
}

const headersOf = (entry: CapturedControl) => (entry.envelope?.headers ?? entry.headers)!;

/**
 * A broker that answers each request with the reply the capture recorded after it, through the
 * reply queue the client declared, as the captured worker did.
 */
class ReplayBroker implements Broker {
  readonly displayUrl = "replay://";
  readonly published: { message: Message; target: PublishTarget }[] = [];
  readonly consumed: QueueSpec[] = [];
  readonly deleted: string[] = [];
  private handler: ((delivery: Delivery) => void) | null = null;
  private readonly replies: CapturedControl[];

  constructor(readonly driverType: "redis" | "amqp", capture: Capture) {
    this.replies = capture.control.filter((entry) => entry.kind === "control reply");
  }

  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  async declareExchange(): Promise<void> {}
  async declareQueue(): Promise<void> {}
  async deleteQueue(name: string): Promise<void> {
    this.deleted.push(name);
  }
  async consume(queues: QueueSpec[], onDelivery: (delivery: Delivery) => void): Promise<Consumer> {
    this.consumed.push(...queues);
    this.handler = onDelivery;
    return { queues: queues.map((queue) => queue.name), cancel: async () => void (this.handler = null) };
  }
  async publish(message: Message, target: PublishTarget): Promise<void> {
    this.published.push({ message, target });
    const reply = this.replies.shift()!;
    const ticket = (JSON.parse(message.body.toString("utf8")) as { ticket: string }).ticket;
    setImmediate(() =>
      this.handler?.({
        message: { body: Buffer.from(JSON.stringify(reply.body_decoded)), contentType: "application/json", contentEncoding: "utf-8", headers: { ...headersOf(reply), ticket }, properties: { delivery_mode: 1 } },
        queue: this.consumed.at(-1)!.name,
        exchange: "reply.celery.pidbox",
        routingKey: this.consumed.at(-1)!.routingKey!,
        redelivered: false,
        deliveryTag: "1",
        ack: async () => undefined,
        reject: async () => undefined,
      }),
    );
  }
  async queueSize(): Promise<number> {
    return 0;
  }
  async inspectQueues(): Promise<never[]> {
    return [];
  }
  async purge(): Promise<number> {
    return 0;
  }
}

for (const [driver, file] of [
  ["redis", "11_remote_control.redis"],
  ["amqp", "11_remote_control.rabbitmq"],
] as const) {
  describe(`app.control against the Celery 5.2.6 capture over ${driver}`, () => {
    const capture = loadVector<Capture>(file);
    const requests = capture.control.filter((entry) => entry.kind === "control request");

    it("publishes the captured requests, gets the captured results and cleans up each reply queue", async () => {
      const broker = new ReplayBroker(driver, capture);
      const control = new Control(broker);
      const started = Date.now() / 1000;
      // A replayed reply arrives at once; the limit makes each call return on it instead of waiting out the timeout.
      const ping = await control.ping({ timeout: 1000, limit: 1 });
      const active = await control.inspect({ timeout: 1000, limit: 1 }).active();
      const revoke = await control.revoke(capture.client_report.sleeper_task_id, { terminate: true, reply: true, timeout: 1000, limit: 1 });

      expect(ping).toEqual(capture.client_report.ping);
      expect(active).toEqual(capture.client_report.inspect_active);
      expect(revoke).toEqual(capture.client_report.revoke);

      expect(broker.published).toHaveLength(3);
      broker.published.forEach(({ message, target }, index) => {
        const captured = requests[index]!;
        const ours = JSON.parse(message.body.toString("utf8")) as { ticket: string; reply_to: { routing_key: string } };
        const replyQueue = broker.consumed[index]!;
        expect(ours.reply_to.routing_key).toBe(replyQueue.routingKey);
        // Same bytes once the two random ids are the captured ones.
        const text = message.body
          .toString("utf8")
          .replace(ours.ticket, captured.body_decoded.ticket!)
          .replace(ours.reply_to.routing_key, captured.body_decoded.reply_to!.routing_key);
        const capturedHeaders = headersOf(captured);
        expect(message.headers.clock).toBe(capturedHeaders.clock);
        expect(Object.keys(message.headers)).toEqual(["clock", "expires"]);
        expect(message.headers.expires as number).toBeGreaterThanOrEqual(started + 1);
        expect(message.headers.expires as number).toBeLessThan(Date.now() / 1000 + 1.01);
        expect(target).toEqual({ exchange: "celery.pidbox", routingKey: "" });
        if (driver === "redis") {
          const envelope = encodeRedisEnvelope({ ...message, body: Buffer.from(text, "utf8"), headers: capturedHeaders }, target, captured.envelope!.properties.delivery_tag);
          expect(envelope).toBe(captured.raw);
        } else {
          expect(text).toBe(captured.body_raw);
          expect(target.exchange).toBe(captured.exchange);
          expect([target.routingKey]).toEqual(captured.routing_keys);
          expect({ contentType: message.contentType, contentEncoding: message.contentEncoding, delivery_mode: message.properties.delivery_mode, priority: message.properties.priority }).toEqual({
            contentType: captured.properties!.content_type,
            contentEncoding: captured.properties!.content_encoding,
            delivery_mode: captured.properties!.delivery_mode,
            priority: captured.properties!.priority,
          });
        }
      });

      // Each call declared its own reply queue as kombu does, and deleted it afterwards.
      const declaration = capture.client_report.client_reply_queue_declaration;
      for (const queue of broker.consumed) {
        expect(queue.name).toBe(`${queue.routingKey}.reply.celery.pidbox`);
        expect(queue).toMatchObject({
          exchange: { name: declaration.exchange, type: declaration.exchange_type, durable: false },
          durable: declaration.durable,
          autoDelete: declaration.auto_delete,
          arguments: { "x-expires": (declaration.expires as number) * 1000, "x-message-ttl": (declaration.message_ttl as number) * 1000 },
        });
      }
      expect(new Set(broker.consumed.map((queue) => queue.name)).size).toBe(3);
      expect(broker.deleted).toEqual(broker.consumed.map((queue) => queue.name));
    });
  });
}
