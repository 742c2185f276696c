// Turns a decoded AMQP field table back into plain values; mirrors py-amqp's serialization._read_item.

/** amqplib's shape for field types it cannot map to a JS value. */
interface TaggedValue {
  "!": string;
  value: unknown;
}

function isTagged(value: object): value is TaggedValue {
  return Object.hasOwn(value, "!") && Object.hasOwn(value, "value");
}

function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  // Byte arrays (`x`) become text, as py-amqp does for long strings that are valid UTF-8.
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (Array.isArray(value)) return value.map(plain);
  if (isTagged(value)) {
    if (value["!"] === "timestamp") return new Date((value.value as number) * 1000);
    if (value["!"] === "decimal") {
      const { places, digits } = value.value as { places: number; digits: number };
      return digits / 10 ** places;
    }
  }
  return fromFieldTable(value as Record<string, unknown>);
}

/**
 * Plain JS from an amqplib-decoded table: every integer width and float becomes a number,
 * `x` byte arrays become strings, `T` timestamps Dates, `D` decimals numbers; nested tables and
 * arrays are converted recursively. Key order is kept.
 */
export function fromFieldTable(table: Record<string, unknown> | undefined): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(table ?? {})) result[key] = plain(value);
  return result;
}
