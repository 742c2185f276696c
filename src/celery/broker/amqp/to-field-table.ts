// Types header and argument values for amqplib the way py-amqp's serialization._write_item does.

import { MalformedMessage } from "../../errors";

/** amqplib's escape hatch for an explicit AMQP field type. */
interface TypedValue {
  "!": "int" | "long" | "double" | "timestamp";
  value: number;
}

type FieldValue = string | boolean | null | Buffer | TypedValue | FieldValue[] | { [key: string]: FieldValue };

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MAX = 2 ** 63;

// amqplib guesses the narrowest integer (b, s, I, l). py-amqp reads `b` as unsigned and `s` as a
// short *string*, so -1 would arrive as 255 and 1000 as garbage: every integer is pinned to what
// Python itself writes, `I`. Python writes larger ints as `L`, which amqplib cannot emit (nor
// read); `l` is the nearest, and py-amqp reads it as unsigned 64-bit, which is right for the
// non-negative values that occur in practice (epoch milliseconds, sizes). Negative values beyond
// 32 bits have no faithful encoding and travel as doubles.
function typeNumber(value: number): TypedValue {
  if (Number.isInteger(value)) {
    if (value >= INT32_MIN && value <= INT32_MAX) return { "!": "int", value };
    if (value > INT32_MAX && value < INT64_MAX) return { "!": "long", value };
  }
  return { "!": "double", value };
}

function typeValue(value: unknown, path: string): FieldValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return typeNumber(value);
    case "bigint":
      return typeNumber(Number(value));
    case "object":
      break;
    default:
      throw new MalformedMessage(`Header ${path} is a ${typeof value}, which has no AMQP field type: send strings, numbers, booleans, null, arrays or plain objects.`);
  }
  if (Buffer.isBuffer(value)) return value;
  // py-amqp writes datetimes as `T` (whole seconds since the epoch).
  if (value instanceof Date) return { "!": "timestamp", value: Math.floor(value.getTime() / 1000) };
  if (Array.isArray(value)) return value.map((item, index) => typeValue(item, `${path}[${index}]`));
  return toFieldTable(value as Record<string, unknown>, path);
}

/**
 * Converts plain headers (or queue arguments) into the values amqplib should encode, so that
 * Python reads the same types it would have written: strings `S`, null `V`, integers `I`, floats
 * `d`, booleans `t`, arrays `A`, objects `F`, Dates `T`.
 *
 * @param path where the table sits, for error messages.
 */
export function toFieldTable(table: Record<string, unknown>, path = "headers"): Record<string, FieldValue> {
  const typed: Record<string, FieldValue> = {};
  for (const [key, value] of Object.entries(table)) {
    // Keys are AMQP short strings, and amqplib would read a `!` key as its type marker.
    if (Buffer.byteLength(key) > 255) throw new MalformedMessage(`Header key "${key.slice(0, 40)}…" in ${path} is longer than 255 bytes, the AMQP limit for table keys.`);
    if (key === "!") throw new MalformedMessage(`Header key "!" in ${path} cannot be sent through amqplib, which reserves it for typed values: rename it.`);
    typed[key] = typeValue(value, `${path}.${key}`);
  }
  return typed;
}
