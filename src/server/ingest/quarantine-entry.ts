// An input set aside because it could not be stored: what it was, why, and a bounded copy of it
// as JSON text (always storable: JSON escapes NUL and lone surrogates), for the quarantine page.

/** Where a quarantined input came from. */
export type QuarantineSource = "event" | "capture" | "backend" | "task-message";

export interface QuarantineEntry {
  source: QuarantineSource;
  reason: string;
  /** The input as JSON text, cut to PAYLOAD_LIMIT characters. */
  payload: string;
  /** Characters of the whole input before it was cut. */
  size: number;
}

/** Where quarantined inputs go (the store, redacting them first: see start-ingestion.ts). */
export interface QuarantineSink {
  quarantine(entries: QuarantineEntry[]): Promise<void>;
}

/** Enough to recognise an input and see what was wrong with it; a 5 MB name is not kept whole. */
export const PAYLOAD_LIMIT = 16_384;

function asJson(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString("utf8"));
  try {
    return JSON.stringify(value) ?? String(value);
  } catch (error) {
    // Nested too deep for the encoder, or cyclic: say so rather than lose the entry.
    return JSON.stringify(`<${typeof value} that cannot be shown as JSON: ${(error as Error).message}>`);
  }
}

/** The entry for `value`, rejected for `reason`. */
export function quarantineEntry(source: QuarantineSource, reason: string, value: unknown): QuarantineEntry {
  const json = asJson(value);
  // The reason may quote the input: keep it storable too.
  return { source, reason: reason.slice(0, 2_000).replaceAll("\0", "\\0").toWellFormed(), payload: json.length > PAYLOAD_LIMIT ? `${json.slice(0, PAYLOAD_LIMIT)}…` : json, size: json.length };
}
