// Maps a Message to AMQP basic properties and back; mirrors kombu/transport/pyamqp.py (Message, prepare_message).

import type { Message as AmqpMessage, Options } from "amqplib";
import { MalformedMessage } from "../../errors";
import type { Message, MessageProperties } from "../../protocol/message";
import { fromFieldTable } from "./from-field-table";
import { toFieldTable } from "./to-field-table";

// kombu's property names and amqplib's, in the order kombu lists basic properties.
const PROPERTY_NAMES = [
  ["correlation_id", "correlationId"],
  ["reply_to", "replyTo"],
  ["delivery_mode", "deliveryMode"],
  ["priority", "priority"],
  ["expiration", "expiration"],
  ["message_id", "messageId"],
  ["timestamp", "timestamp"],
  ["type", "type"],
  ["user_id", "userId"],
  ["app_id", "appId"],
] as const;

function checkProperties(properties: MessageProperties): void {
  const { delivery_mode: mode, priority, expiration } = properties;
  // RabbitMQ answers a bad value by closing the channel, failing every publish in flight on it.
  if (mode !== undefined && mode !== 1 && mode !== 2) throw new MalformedMessage(`delivery_mode ${String(mode)} is invalid: use 1 (transient) or 2 (persistent).`);
  if (priority !== undefined && !(Number.isInteger(priority) && priority >= 0 && priority <= 255)) {
    throw new MalformedMessage(`priority ${String(priority)} is invalid: AMQP priorities are integers 0..255 (Celery uses 0..9).`);
  }
  if (expiration !== undefined && !/^\d+$/.test(String(expiration))) {
    throw new MalformedMessage(`expiration "${String(expiration)}" is invalid: it is a TTL in milliseconds written as a decimal string, e.g. "5000".`);
  }
}

/**
 * The basic properties and body conversions for the AMQP transport. Properties absent from the
 * message are not sent (Python omits `priority` on AMQP when unset); unknown extra properties
 * are dropped, as AMQP has no field for them.
 */
export const amqpMessageCodec = {
  toPublishOptions(message: Message): Options.Publish {
    checkProperties(message.properties);
    const options: Options.Publish = {
      contentType: message.contentType,
      contentEncoding: message.contentEncoding,
      headers: toFieldTable(message.headers),
    };
    const target = options as Record<string, unknown>;
    for (const [kombuName, amqplibName] of PROPERTY_NAMES) {
      const value = message.properties[kombuName];
      if (value !== undefined && value !== null) target[amqplibName] = value;
    }
    return options;
  },

  toMessage(delivered: AmqpMessage): Message {
    const source = delivered.properties as unknown as Record<string, unknown>;
    const properties: Record<string, unknown> = {};
    for (const [kombuName, amqplibName] of [...PROPERTY_NAMES, ["cluster_id", "clusterId"] as const]) {
      const value = source[amqplibName];
      if (value !== undefined) properties[kombuName] = value;
    }
    return {
      body: delivered.content,
      contentType: delivered.properties.contentType ?? "",
      contentEncoding: delivered.properties.contentEncoding ?? "",
      headers: fromFieldTable(delivered.properties.headers),
      properties: properties as MessageProperties,
    };
  },
};
