// A transport-neutral broker message; mirrors kombu.message.Message (body + headers + properties).

/** Message properties as kombu names them; unknown extras must be tolerated and passed through. */
export interface MessageProperties {
  correlation_id?: string;
  reply_to?: string;
  /** 2 = persistent (tasks), 1 = transient (events, replies). */
  delivery_mode?: 1 | 2;
  priority?: number;
  /** Per-message TTL in milliseconds, as a decimal string (AMQP `expiration`). */
  expiration?: string;
  [extra: string]: unknown;
}

/**
 * One message as published or delivered. `body` holds the serialized payload bytes (for JSON:
 * the UTF-8 text); transports add their own framing (Redis: base64 inside a JSON envelope).
 * Header and property key order is preserved: Python emits dicts in insertion order and we copy
 * that order for byte-identical envelopes.
 */
export interface Message {
  body: Buffer;
  contentType: string;
  contentEncoding: string;
  headers: Record<string, unknown>;
  properties: MessageProperties;
}
