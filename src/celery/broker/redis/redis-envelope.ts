// The JSON envelope kombu's Redis transport stores in lists and pub/sub; mirrors kombu/transport/virtual/base.py (prepare_message, _inplace_augment_message, Message).

import { MalformedMessage } from "../../errors";
import type { Message, MessageProperties } from "../../protocol/message";
import { pyJsonStringify } from "../../protocol/py-json";
import type { PublishTarget } from "../broker";

/** A list item turned back into a message, with kombu's transport fields split off. */
export interface DecodedEnvelope {
  message: Message;
  exchange: string;
  routingKey: string;
  deliveryTag: string;
  redelivered: boolean;
}

// Properties kombu places itself, after the caller's: kept out of the caller's part.
const TRANSPORT_PROPERTIES = new Set(["delivery_mode", "expiration", "delivery_info", "priority", "body_encoding", "delivery_tag"]);

/**
 * The exact string kombu 5.2 would LPUSH for `message` (Python `json.dumps` of the envelope):
 * caller properties first (correlation_id, reply_to, extras), then delivery_mode (default 2),
 * expiration, delivery_info, priority (0 default), body_encoding "base64", delivery_tag.
 */
export function encodeRedisEnvelope(message: Message, target: PublishTarget, deliveryTag: string): string {
  const props = message.properties;
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) if (!TRANSPORT_PROPERTIES.has(key)) properties[key] = value;
  properties.delivery_mode = props.delivery_mode ?? 2;
  if (props.expiration !== undefined) properties.expiration = props.expiration;
  properties.delivery_info = { exchange: target.exchange, routing_key: target.routingKey };
  properties.priority = props.priority ?? 0;
  properties.body_encoding = "base64";
  properties.delivery_tag = deliveryTag;
  return pyJsonStringify({
    body: message.body.toString("base64"),
    "content-encoding": message.contentEncoding,
    "content-type": message.contentType,
    headers: message.headers,
    properties,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function decodeBody(body: unknown, encoding: unknown): Buffer {
  if (typeof body !== "string") throw new Error(`"body" is ${body === null ? "null" : typeof body}, not a string`);
  if (encoding === "base64") return Buffer.from(body, "base64");
  // kombu only transforms bodies with a body_encoding; without one the text is the payload.
  if (encoding === undefined || encoding === null) return Buffer.from(body, "utf8");
  throw new Error(`unsupported body_encoding ${JSON.stringify(encoding)} (kombu writes "base64")`);
}

/**
 * Parses one list item or pub/sub payload. Unknown keys are tolerated and kept in `properties`;
 * anything that is not an envelope throws MalformedMessage naming the source and the first bytes.
 */
export function decodeRedisEnvelope(raw: string, source: string): DecodedEnvelope {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!isRecord(parsed)) throw new Error("it is not a JSON object");
    const props = parsed.properties ?? {};
    const headers = parsed.headers ?? {};
    if (!isRecord(props)) throw new Error('"properties" is not an object');
    if (!isRecord(headers)) throw new Error('"headers" is not an object');
    const info = isRecord(props.delivery_info) ? props.delivery_info : {};
    const properties: MessageProperties = {};
    for (const [key, value] of Object.entries(props)) {
      if (key !== "body_encoding" && key !== "delivery_tag" && key !== "delivery_info") properties[key] = value;
    }
    return {
      message: {
        body: decodeBody(parsed.body, props.body_encoding),
        contentType: typeof parsed["content-type"] === "string" ? parsed["content-type"] : "application/data",
        contentEncoding: typeof parsed["content-encoding"] === "string" ? parsed["content-encoding"] : "binary",
        headers,
        properties,
      },
      exchange: typeof info.exchange === "string" ? info.exchange : "",
      routingKey: typeof info.routing_key === "string" ? info.routing_key : "",
      deliveryTag: typeof props.delivery_tag === "string" ? props.delivery_tag : "",
      redelivered: info.redelivered === true,
    };
  } catch (error) {
    const excerpt = raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
    throw new MalformedMessage(`${source} held an item that is not a kombu envelope (${(error as Error).message}); it was taken off the queue: ${JSON.stringify(excerpt)}`, { cause: error });
  }
}
