// Encoding and decoding of message bodies by content type and compression; mirrors kombu/serialization.py and kombu/compression.py.

import { deflateSync, inflateSync } from "node:zlib";
import { ContentDisallowed, DecodeError } from "../errors";
import { pyJsonParse, pyJsonStringify } from "./py-json";

export const JSON_CONTENT_TYPE = "application/json";
/** kombu names zlib "gzip" too, and sends this MIME type, but the bytes are a raw zlib stream. */
export const ZLIB_COMPRESSION = "application/x-gzip";

const KNOWN_SERIALIZERS: Record<string, string> = {
  "application/x-python-serialize": "pickle",
  "application/x-yaml": "yaml",
  "application/x-msgpack": "msgpack",
  "application/data": "raw bytes",
};

export interface EncodedBody {
  body: Buffer;
  contentType: string;
  contentEncoding: string;
  /** The `compression` header to add when the body was compressed. */
  compression?: string;
}

export interface EncodeOptions {
  /** kombu >= 5.3 `{"__type__", "__value__"}` wrappers for Dates and Buffers. */
  typedJson?: boolean;
  /** Compress like `task_compression="zlib"` (or its alias "gzip"). */
  compression?: "zlib" | "gzip";
}

/** Serializes a payload as Celery's json serializer does (byte-identical to json.dumps). */
export function encodeBody(value: unknown, options: EncodeOptions = {}): EncodedBody {
  const text = Buffer.from(pyJsonStringify(value, { typedWrappers: options.typedJson }), "utf8");
  if (!options.compression) return { body: text, contentType: JSON_CONTENT_TYPE, contentEncoding: "utf-8" };
  return { body: deflateSync(text), contentType: JSON_CONTENT_TYPE, contentEncoding: "utf-8", compression: ZLIB_COMPRESSION };
}

/** The parts of a message that decide how its body decodes. */
export interface EncodedMessage {
  body: Buffer;
  contentType: string;
  contentEncoding: string;
  headers?: Record<string, unknown>;
}

function decompress(body: Buffer, compression: unknown): Buffer {
  if (compression === undefined || compression === null) return body;
  if (compression !== ZLIB_COMPRESSION) {
    throw new ContentDisallowed(
      `Message is compressed with ${JSON.stringify(compression)}, which Celeriac cannot decompress: only ${ZLIB_COMPRESSION} (task_compression="zlib"/"gzip") is supported; change the producer's compression setting.`,
    );
  }
  try {
    return inflateSync(body);
  } catch (error) {
    throw new DecodeError(`Message body is not valid zlib data although its compression header says ${ZLIB_COMPRESSION}: ${(error as Error).message}`, { cause: error });
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes a body: only JSON is accepted (Celery's default `accept_content`). Any other
 * serializer is refused with ContentDisallowed, bytes that are not UTF-8 JSON with DecodeError.
 */
export function decodeBody(message: EncodedMessage): unknown {
  const contentType = message.contentType.trim().toLowerCase();
  if (contentType !== JSON_CONTENT_TYPE) {
    const name = KNOWN_SERIALIZERS[contentType] ?? "an unknown serializer";
    throw new ContentDisallowed(
      `Refusing content of type ${JSON.stringify(message.contentType)} (${name}): Celeriac accepts only ${JSON_CONTENT_TYPE}; configure the producer for json (task_serializer="json", result_serializer="json", accept_content=["json"]).`,
    );
  }
  const encoding = message.contentEncoding.trim().toLowerCase();
  if (encoding !== "utf-8" && encoding !== "utf8" && encoding !== "") {
    throw new DecodeError(`JSON body declares content-encoding ${JSON.stringify(message.contentEncoding)}; Celery's json serializer always uses utf-8.`);
  }
  const bytes = decompress(message.body, message.headers?.compression);
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch (error) {
    throw new DecodeError(`JSON body is not valid UTF-8 (first bytes: ${bytes.subarray(0, 16).toString("hex")}).`, { cause: error });
  }
  return pyJsonParse(text, "Message body");
}
