// The task messages of the Celery 5.2.6 captures (test/fixtures/celery-5.2.6) as PublishedMessages,
// in publish order, for the workflow-graph and capture tests.

import type { PublishedMessage } from "../../../src/server/ingest/workflow-graph";
import { loadVector } from "../../support/vectors";

interface RedisTaskMessage {
  t: number;
  envelope: { body: string; "content-type": string; "content-encoding": string; headers: Record<string, unknown>; properties: Record<string, unknown> };
}

interface RabbitTaskMessage {
  t: number;
  exchange: string;
  routing_keys: string[];
  headers: Record<string, unknown>;
  properties: Record<string, unknown> & { content_type: string; content_encoding: string };
  body_raw: string;
}

/** A fixed epoch so sentAt values are stable: the capture's relative time `t` is added to it. */
export const FIXTURE_EPOCH = 1_750_000_000;

/** Every task message of a scenario, as its producer published it (transport framing removed). */
export function fixtureMessages(scenario: string, broker: "redis" | "rabbitmq" = "redis"): PublishedMessage[] {
  if (broker === "redis") {
    const { task_messages } = loadVector<{ task_messages: RedisTaskMessage[] }>(`${scenario}.redis`);
    return task_messages.map(({ t, envelope }) => {
      // kombu's Redis transport adds delivery_info, body_encoding and delivery_tag: not part of what was published.
      const { delivery_info, body_encoding: _encoding, delivery_tag: _tag, ...properties } = envelope.properties as Record<string, unknown> & { delivery_info: { exchange: string; routing_key: string } };
      return {
        message: { body: Buffer.from(envelope.body, "base64"), contentType: envelope["content-type"], contentEncoding: envelope["content-encoding"], headers: envelope.headers, properties },
        exchange: delivery_info.exchange,
        routingKey: delivery_info.routing_key,
        sentAt: FIXTURE_EPOCH + t,
      };
    });
  }
  const { task_messages } = loadVector<{ task_messages: RabbitTaskMessage[] }>(`${scenario}.rabbitmq`);
  return task_messages.map(({ t, exchange, routing_keys, headers, properties, body_raw }) => {
    const { content_type, content_encoding, ...rest } = properties;
    return {
      message: { body: Buffer.from(body_raw, "utf8"), contentType: content_type, contentEncoding: content_encoding, headers, properties: rest },
      exchange,
      routingKey: routing_keys[0]!,
      sentAt: FIXTURE_EPOCH + t,
    };
  });
}
