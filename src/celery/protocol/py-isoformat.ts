// Dates as Python's datetime.isoformat() writes them, and read back as Celery's maybe_iso8601 does; mirrors celery/utils/time.py.

import { MalformedMessage } from "../errors";

/**
 * `datetime.isoformat()` of a UTC instant: `2026-11-24T07:14:29.698000+00:00`, microseconds
 * left out when zero (as Python does). `naive` drops the offset, the form Celery's result
 * backend uses for `date_done`.
 */
export function pyIsoformat(date: Date, options: { naive?: boolean } = {}): string {
  const iso = date.toISOString();
  const ms = date.getUTCMilliseconds();
  const base = iso.slice(0, 19) + (ms === 0 ? "" : `.${String(ms).padStart(3, "0")}000`);
  return options.naive ? base : `${base}+00:00`;
}

/**
 * Parses an ISO-8601 timestamp from a message. Celery treats one without an offset as UTC
 * (JS would read it as local time), and Python writes up to six fraction digits.
 */
export function parsePyIsoformat(text: string, field = "timestamp"): Date {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  const date = match ? new Date(`${match[1]}T${match[2]}${match[3] ? `.${match[3].slice(0, 3).padEnd(3, "0")}` : ""}${match[4] ?? "Z"}`) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new MalformedMessage(`${field} ${JSON.stringify(text)} is not an ISO-8601 timestamp; send e.g. "2026-01-31T12:00:00+00:00".`);
  }
  return date;
}
