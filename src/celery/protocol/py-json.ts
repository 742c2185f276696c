// JSON exactly as Python's json.dumps writes it, and kombu's JSON decoding; mirrors kombu/utils/json.py.

import { DecodeError } from "../errors";

export interface PyJsonOptions {
  /**
   * kombu >= 5.3 wraps non-JSON scalars as `{"__type__", "__value__"}`; kombu <= 5.2 (Celery 5.2,
   * the default peer) writes plain ISO strings. Off by default.
   */
  typedWrappers?: boolean;
}

// Python's encoder escapes these with short forms; every other control or non-ASCII code unit
// becomes \uXXXX with lowercase hex (ensure_ascii=True).
const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE_ALL = /["\\\u0000-\u001f\u007f-\uffff]/g;

function encodeString(value: string): string {
  // Most strings (ids, task names) need no escaping: skip the per-character replace for them.
  if (!NEEDS_ESCAPE.test(value)) return `"${value}"`;
  return `"${value.replace(NEEDS_ESCAPE_ALL, (ch) => {
    const short = SHORT_ESCAPES[ch];
    if (short) return short;
    const code = ch.charCodeAt(0);
    if (code === 0x7f) return ch;
    return `\\u${code.toString(16).padStart(4, "0")}`;
  })}"`;
}

/**
 * A number as Python's json.dumps writes it (and, for finite values, as Python's repr does):
 * a float's exponent is always signed and at least two digits (1e-07, 1e+16).
 */
export function pyJsonNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  // Inside Python's decimal range both languages print the same shortest digits (timestamps and
  // runtimes in every event land here): no exponent arithmetic needed.
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-4 && magnitude < 1e16) return String(value);
  // Python switches to exponent notation below 1e-4 and from 1e16 (JS: 1e-7 and 1e21).
  const [mantissa, exponentText] = value.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  return String(value);
}

function encode(value: unknown, options: PyJsonOptions): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return encodeString(value);
    case "number":
      return pyJsonNumber(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value instanceof Date) {
    const iso = value.toISOString().replace("Z", "+00:00");
    return options.typedWrappers ? `{"__type__": "datetime", "__value__": ${encodeString(iso)}}` : encodeString(iso);
  }
  if (Buffer.isBuffer(value)) {
    if (!options.typedWrappers) return encodeString(value.toString("utf8"));
    return `{"__type__": "base64", "__value__": ${encodeString(value.toString("base64"))}}`;
  }
  // Appending to one string (no entries/map/join arrays): a worker encodes several documents per
  // task, and the intermediate arrays were most of its garbage.
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : ", ") + (encode(value[i], options) ?? "null");
    return `${out}]`;
  }
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === "function") return encode(toJSON.call(value), options);
  const record = value as Record<string, unknown>;
  let out = "{";
  for (const key of Object.keys(record)) {
    const encoded = encode(record[key], options);
    if (encoded !== undefined) out += (out.length === 1 ? "" : ", ") + encodeString(key) + ": " + encoded;
  }
  return `${out}}`;
}

/**
 * Serializes like Python's `json.dumps(value)`: `", "` / `": "` separators, ASCII-only output,
 * keys in insertion order. Byte-identical envelopes depend on it.
 */
export function pyJsonStringify(value: unknown, options: PyJsonOptions = {}): string {
  return encode(value, options) ?? "null";
}

function formatUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

// kombu 5.3+ object hook: exactly the keys {__type__, __value__}.
function reviveTyped(value: Record<string, unknown>): unknown {
  const type = value.__type__;
  const inner = value.__value__;
  switch (type) {
    case "datetime":
      return new Date(String(inner));
    case "date":
    case "time":
    case "decimal":
      return String(inner);
    case "uuid":
      return formatUuid(String((inner as { hex?: unknown })?.hex ?? inner).replace(/-/g, ""));
    case "bytes":
      return String(inner);
    case "base64":
      return Buffer.from(String(inner), "base64");
    default:
      // An unknown wrapper is user data that happens to look like one: keep it as it is.
      return value;
  }
}

function isTypedWrapper(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 2 && "__type__" in value && "__value__" in value;
}

/** Parses JSON from any Celery version, turning kombu 5.3+ typed wrappers back into values. */
export function pyJsonParse(text: string, what = "JSON document"): unknown {
  let parsed: unknown;
  try {
    // Python writes NaN/Infinity for non-finite floats; JSON.parse rejects them.
    parsed = JSON.parse(text.includes("NaN") || text.includes("Infinity") ? replaceNonFinite(text) : text);
  } catch (error) {
    throw new DecodeError(`${what} is not valid JSON (${(error as Error).message}); first bytes: ${JSON.stringify(text.slice(0, 80))}`, { cause: error });
  }
  // Only kombu 5.3+ writes wrappers, always with this key: without it there is nothing to revive,
  // and the copy revive makes of every document was most of an event's garbage.
  return text.includes('"__type__"') ? revive(parsed) : parsed;
}

function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (typeof value === "object" && value !== null) {
    if (isTypedWrapper(value)) return reviveTyped(value);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = revive(item);
    return out;
  }
  return value;
}

// Replaces bare NaN / Infinity tokens outside strings with null so JSON.parse accepts them.
function replaceNonFinite(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === "\\") out += text[++i] ?? "";
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (text.startsWith("NaN", i)) {
      out += "null";
      i += 2;
      continue;
    } else if (text.startsWith("-Infinity", i)) {
      out += "null";
      i += 8;
      continue;
    } else if (text.startsWith("Infinity", i)) {
      out += "null";
      i += 7;
      continue;
    }
    out += ch;
  }
  return out;
}
