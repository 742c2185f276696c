// Python's builtin repr() of JSON-ish values (as a Python peer sees them after json.loads); mirrors CPython's object reprs.

import { pyJsonNumber } from "./py-json";

const TUPLE = Symbol("celeriac.pyTuple");

/**
 * Marks an array as a Python tuple: it still serializes as a JSON array, but reprs as `(1, 2)` /
 * `(7,)`. Celery reprs task args as the tuple the caller passed, hence `argsrepr` `"(2, 3)"`.
 */
export function pyTuple<T>(items: readonly T[]): T[] {
  const copy = [...items];
  Object.defineProperty(copy, TUPLE, { value: true, enumerable: false });
  return copy;
}

/** What a JS value is once a Python peer has decoded it from our JSON. */
export type PyValue =
  | { kind: "scalar"; text: string }
  | { kind: "str"; value: string }
  | { kind: "bytes"; value: Buffer }
  | { kind: "list" | "tuple"; items: unknown[] }
  | { kind: "dict"; entries: [string, unknown][] };

function isDropped(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

/**
 * Classifies a value the way it travels through pyJsonStringify: Dates become their ISO
 * string (kombu <= 5.2 form), objects with toJSON are replaced by its result, and keys whose
 * value JSON would drop are left out.
 */
export function pyValue(value: unknown): PyValue {
  if (value === null || isDropped(value)) return { kind: "scalar", text: "None" };
  switch (typeof value) {
    case "boolean":
      return { kind: "scalar", text: value ? "True" : "False" };
    case "number":
      return { kind: "scalar", text: pyNumberRepr(value) };
    case "bigint":
      return { kind: "scalar", text: value.toString() };
    case "string":
      return { kind: "str", value };
  }
  if (Buffer.isBuffer(value)) return { kind: "bytes", value };
  if (value instanceof Date) return { kind: "str", value: value.toISOString().replace("Z", "+00:00") };
  if (Array.isArray(value)) return { kind: (value as unknown as Record<symbol, unknown>)[TUPLE] ? "tuple" : "list", items: value };
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === "function") return pyValue(toJSON.call(value));
  return { kind: "dict", entries: Object.entries(value as Record<string, unknown>).filter(([, item]) => !isDropped(item)) };
}

function pyNumberRepr(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  return pyJsonNumber(value);
}

// Python escapes every character that str.isprintable() rejects: categories Other (C*) and
// Separator (Z*) except the ASCII space.
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

function escapeCodePoint(code: number): string {
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, "0")}`;
  return `\\U${code.toString(16).padStart(8, "0")}`;
}

/** Python's repr of a str: single quotes unless the text has a `'` and no `"`. */
export function pyStrRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of value) {
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch !== " " && NON_PRINTABLE.test(ch)) out += escapeCodePoint(ch.codePointAt(0)!);
    else out += ch;
  }
  return out + quote;
}

/** Python's repr of bytes: `b'...'`, non-printable ASCII as `\xNN`. */
export function pyBytesRepr(value: Buffer): string {
  const quote = value.includes(0x27) && !value.includes(0x22) ? '"' : "'";
  let out = `b${quote}`;
  for (const byte of value) {
    const ch = String.fromCharCode(byte);
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (byte < 0x20 || byte >= 0x7f) out += escapeCodePoint(byte);
    else out += ch;
  }
  return out + quote;
}

/**
 * Python's builtin `repr()` of a value as a Python peer would hold it after decoding our JSON:
 * `None`/`True`/`False`, Python float text (`1e+16`, `inf`), str with Python's quote choice
 * and escapes, lists, dicts, and tuples for arrays marked with {@link pyTuple}. Used where
 * Celery calls plain repr (exception reprs in events); argsrepr/kwargsrepr use `saferepr`.
 */
export function pyRepr(value: unknown): string {
  const py = pyValue(value);
  switch (py.kind) {
    case "scalar":
      return py.text;
    case "str":
      return pyStrRepr(py.value);
    case "bytes":
      return pyBytesRepr(py.value);
    case "list":
      return `[${py.items.map(pyRepr).join(", ")}]`;
    case "tuple":
      return py.items.length === 1 ? `(${pyRepr(py.items[0])},)` : `(${py.items.map(pyRepr).join(", ")})`;
    case "dict":
      return `{${py.entries.map(([key, item]) => `${pyStrRepr(key)}: ${pyRepr(item)}`).join(", ")}}`;
  }
}
