// The request message a remote-control client publishes to `celery.pidbox`; mirrors kombu/pidbox.py Mailbox._publish.

import type { Message } from "../protocol/message";
import { encodeBody } from "../protocol/serialization";

/** The body of a control request, keys in kombu's order. */
export interface ControlRequestBody {
  method: string;
  arguments: Record<string, unknown>;
  /** Nodenames to address; null addresses every worker (unless `pattern` does). */
  destination: readonly string[] | null;
  pattern: string | null;
  matcher: string | null;
  /** Present only when replies are wanted: matches each reply's `ticket` header. */
  ticket?: string;
  reply_to?: { exchange: string; routing_key: string };
}

export interface ControlRequestSpec {
  method: string;
  arguments?: Record<string, unknown>;
  destination?: readonly string[] | null;
  pattern?: string | null;
  matcher?: string | null;
  /** Ask for replies: the ticket and the reply exchange/routing key to send them to. */
  reply?: { ticket: string; exchange: string; routingKey: string };
  /** The sender's Lamport clock value, already forwarded. */
  clock: number;
  /** Reply timeout in milliseconds: becomes the `expires` header (epoch seconds); 0 = none. */
  timeout: number;
  /** Epoch milliseconds the request is sent at (defaults to now). */
  now?: number;
}

/**
 * Builds the exact message Celery 5.2's `app.control.broadcast` publishes: the body above as
 * JSON, headers `{clock, expires}` (expires = send time + timeout, in seconds, 0 without a
 * timeout; workers do not enforce it), persistent delivery mode and priority 0, as kombu's
 * Producer sets them.
 */
export function buildControlRequest(spec: ControlRequestSpec): Message {
  const body: ControlRequestBody = {
    method: spec.method,
    arguments: spec.arguments ?? {},
    destination: spec.destination ?? null,
    pattern: spec.pattern ?? null,
    matcher: spec.matcher ?? null,
  };
  if (spec.reply) {
    body.ticket = spec.reply.ticket;
    body.reply_to = { exchange: spec.reply.exchange, routing_key: spec.reply.routingKey };
  }
  const encoded = encodeBody(body);
  const expires = spec.timeout ? ((spec.now ?? Date.now()) + spec.timeout) / 1000 : 0;
  return {
    body: encoded.body,
    contentType: encoded.contentType,
    contentEncoding: encoded.contentEncoding,
    headers: { clock: spec.clock, expires },
    properties: { delivery_mode: 2, priority: 0 },
  };
}
