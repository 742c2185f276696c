// The capture record: one task message exactly as a producer published it, wrapped for the
// `celeriac.capture` queue by python/celeriac_capture.py and capture-publisher.ts alike.
//
// Format, version 1 (a JSON object, the body of a JSON message on the capture queue):
//   {
//     "celeriac_capture": 1,              format version; a consumer refuses versions it does not know
//     "sent_at": 1717171717.123,          epoch seconds at which the producer published
//     "hostname": "web-1",                the producer's host
//     "exchange": "",                     where the task message went ("" = default exchange)
//     "routing_key": "celery",
//     "queue": "celery",                  the queue the producer routed to, or null when unknown
//     "headers": {...},                   the task message's headers (lang, task, id, root_id, ...)
//     "properties": {...},                its properties (correlation_id, reply_to, priority, ...)
//     "body": [args, kwargs, embed]       its body decoded: protocol 2's triple (or a v1 dict)
//   }
// The body is the real JSON the task receives and the embed holds the whole workflow plan
// (callbacks, errbacks, chain, chord); nothing is truncated. Unknown extra keys are ignored so a
// later minor addition needs no new version.

import { z } from "zod";
import { decodeBody, encodeBody, JSON_CONTENT_TYPE, type Message, type PublishTarget, type QueueSpec } from "../../celery/index";
import type { PublishedMessage } from "./workflow-graph";

/** The record format this code writes and reads. */
export const CAPTURE_RECORD_VERSION = 1;
/** Default name of the capture queue (python/celeriac_capture.py uses the same). */
export const DEFAULT_CAPTURE_QUEUE = "celeriac.capture";
/**
 * `x-max-length` of the capture queue: bounded so an absent consumer cannot fill the broker (the
 * oldest records are dropped first). Every declarer must use the same value, or RabbitMQ refuses
 * the second declaration (PRECONDITION_FAILED). On Redis, which has no bounded lists, our broker
 * trims at each publish and celeriac_capture.py every `trim_every` records.
 */
export const DEFAULT_CAPTURE_MAX_LENGTH = 100_000;

/** The capture queue as every producer and consumer declares it: durable and bounded. */
export function captureQueueSpec(name = DEFAULT_CAPTURE_QUEUE, maxLength = DEFAULT_CAPTURE_MAX_LENGTH): QueueSpec {
  return { name, durable: true, arguments: { "x-max-length": maxLength } };
}

const fields = z.record(z.string(), z.unknown());

const captureRecordSchema = z.object({
  celeriac_capture: z.literal(CAPTURE_RECORD_VERSION, { error: (issue) => `unsupported capture record version ${JSON.stringify(issue.input)} (this consumer reads version ${CAPTURE_RECORD_VERSION})` }),
  sent_at: z.number().finite().nonnegative(),
  hostname: z.string(),
  exchange: z.string(),
  routing_key: z.string(),
  queue: z.string().nullish(),
  headers: fields,
  properties: fields,
  body: z.union([z.tuple([z.array(z.unknown()), fields, z.unknown()]), fields], { error: "body must be [args, kwargs, embed] (protocol 2) or a protocol 1 dict" }),
});

/** One captured task message (see the format at the top of this file). */
export type CaptureRecord = z.infer<typeof captureRecordSchema>;

/** A capture record that cannot be read; `reason` says what is wrong with it. */
export class MalformedCaptureRecord extends Error {
  constructor(readonly reason: string, options?: ErrorOptions) {
    super(`Malformed capture record: ${reason}`, options);
    this.name = "MalformedCaptureRecord";
  }
}

/** Validates a decoded record; throws MalformedCaptureRecord naming the first bad field. */
export function parseCaptureRecord(value: unknown): CaptureRecord {
  const parsed = captureRecordSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? issue.path.join(".") : "record";
  throw new MalformedCaptureRecord(`${where}: ${issue.message}`);
}

/** Where and when a message was published, as the record states it. */
export interface PublishContext {
  hostname: string;
  /** Epoch seconds. */
  sentAt: number;
  queue?: string;
}

/** The record of a task message our own producer published (body decoded, compression undone). */
export function captureRecordFromMessage(message: Message, target: PublishTarget, context: PublishContext): CaptureRecord {
  // The record holds the decoded body, so the header telling how the bytes were compressed no longer applies.
  const { compression: _compression, ...headers } = message.headers;
  return {
    celeriac_capture: CAPTURE_RECORD_VERSION,
    sent_at: context.sentAt,
    hostname: context.hostname,
    exchange: target.exchange,
    routing_key: target.routingKey,
    queue: context.queue ?? null,
    headers,
    properties: { ...message.properties },
    body: decodeBody(message) as CaptureRecord["body"],
  };
}

/** The task message a record describes, re-encoded as Celery's json serializer would. */
export function publishedMessageOf(record: CaptureRecord): PublishedMessage {
  const encoded = encodeBody(record.body);
  return {
    message: { body: encoded.body, contentType: encoded.contentType, contentEncoding: encoded.contentEncoding, headers: record.headers, properties: record.properties },
    exchange: record.exchange,
    routingKey: record.routing_key,
    queue: record.queue ?? undefined,
    sentAt: record.sent_at,
  };
}

/** The message that carries a record on the capture queue: persistent JSON, no task headers. */
export function captureRecordMessage(record: CaptureRecord): Message {
  const encoded = encodeBody(record);
  return { body: encoded.body, contentType: encoded.contentType, contentEncoding: encoded.contentEncoding, headers: {}, properties: { delivery_mode: 2 } };
}

/** Reads a record off a capture-queue message; throws MalformedCaptureRecord for anything unreadable. */
export function captureRecordOfMessage(message: Message): CaptureRecord {
  if (message.contentType.trim().toLowerCase() !== JSON_CONTENT_TYPE) throw new MalformedCaptureRecord(`content type ${JSON.stringify(message.contentType)} is not ${JSON_CONTENT_TYPE}`);
  let value: unknown;
  try {
    value = decodeBody(message);
  } catch (error) {
    throw new MalformedCaptureRecord((error as Error).message, { cause: error });
  }
  return parseCaptureRecord(value);
}
