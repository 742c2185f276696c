// Value parsers for commander options and arguments: each rejects a bad value with a message
// commander prints next to the flag's name (`error: option '--countdown <s>' argument 'x' is invalid. …`).

import { InvalidArgumentError } from "commander";

/** A whole number ≥ 1 (counts, pool sizes). */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError("Must be a whole number of at least 1");
  return number;
}

/** A whole number ≥ 0 (priorities). */
export function nonNegativeInteger(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isInteger(number) || number < 0) throw new InvalidArgumentError("Must be a whole number of at least 0");
  return number;
}

/** Seconds as a number > 0, fractions allowed (`0.5`). */
export function positiveSeconds(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number <= 0) throw new InvalidArgumentError("Must be a number of seconds greater than 0 (e.g. 1.5)");
  return number;
}

/** Seconds as a number ≥ 0 (countdowns). */
export function nonNegativeSeconds(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0) throw new InvalidArgumentError("Must be a number of seconds, 0 or more (e.g. 10)");
  return number;
}

/** An ISO 8601 date-time (`2026-12-01T20:00:00Z`); kept as the Date it names. */
export function isoDateTime(value: string): Date {
  // Date.parse alone accepts "1" and other non-dates: require at least a date.
  const date = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError("Must be an ISO 8601 date-time such as 2026-12-01T20:00:00Z");
  return date;
}

/** A comma-separated list (`a@h1,b@h2`), blanks dropped. */
export function commaList(value: string): string[] {
  const items = value.split(",").map((item) => item.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError("Must name at least one item (comma-separated)");
  return items;
}
