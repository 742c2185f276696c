// A task's captured message as the store keeps it (messageJson): the message as published
// ({headers, properties, body}), or the signature of a workflow step that was never sent.

import { encodeBody, type Message, type SignatureDict } from "../../celery/index";

/** What a task's messageJson holds, read back. */
export type CapturedMessage =
  | { kind: "message"; headers: Record<string, unknown>; properties: Record<string, unknown>; body: unknown }
  | { kind: "signature"; signature: SignatureDict };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The captured message of a task, or null when the store holds none (or none it can read). */
export function readCapturedMessage(messageJson: string | null | undefined): CapturedMessage | null {
  if (!messageJson) return null;
  let value: unknown;
  try {
    value = JSON.parse(messageJson);
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  if (isObject(value.signature)) return { kind: "signature", signature: value.signature as unknown as SignatureDict };
  if (isObject(value.headers) && isObject(value.properties) && value.body !== undefined) return { kind: "message", headers: value.headers, properties: value.properties, body: value.body };
  return null;
}

/** The message to publish again: the body re-encoded as Celery's json serializer does, headers and properties as captured. */
export function capturedToMessage(captured: Extract<CapturedMessage, { kind: "message" }>): Message {
  const encoded = encodeBody(captured.body);
  return { body: encoded.body, contentType: encoded.contentType, contentEncoding: encoded.contentEncoding, headers: { ...captured.headers }, properties: { ...captured.properties } };
}
