// JSON values given on the command line (`call --args '[2, 3]'`): parse errors say where in the
// text parsing stopped, since a shell's quoting is the usual culprit and the value is short.

import { InvalidArgumentError } from "commander";

// V8 names the position for some errors ("… in JSON at position 4") but not for others
// ("Unexpected token '}', "[1,}" is not valid JSON"). For those, the first prefix that fails
// for a reason other than ending early locates the bad character; CLI values are short, so the
// quadratic scan costs nothing.
function failurePosition(text: string, message: string): number | null {
  const stated = /at position (\d+)/.exec(message);
  if (stated) return Number(stated[1]);
  if (text.length > 4096) return null;
  for (let end = 1; end <= text.length; end++) {
    try {
      JSON.parse(text.slice(0, end));
    } catch (error) {
      const reason = (error as Error).message;
      const at = /at position (\d+)/.exec(reason);
      const endedEarly = reason.startsWith("Unexpected end of JSON input") || (at !== null && Number(at[1]) >= end);
      if (!endedEarly) return at ? Number(at[1]) : end - 1;
    }
  }
  return null;
}

/** Parses `text` as JSON, throwing a message that shows where it failed (for commander to print after the flag). */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message.replace(/, ".*" is not valid JSON$/s, "");
    if (text.trim() === "") throw new InvalidArgumentError("Empty: give a JSON value (quote it for the shell, e.g. '[2, 3]')");
    const position = failurePosition(text, reason);
    let where = "";
    if (position !== null && position >= text.length) where = " (it ends too early)";
    else if (position !== null) where = ` at character ${position + 1} (${JSON.stringify(text.slice(0, position))} ▸ ${JSON.stringify(text.slice(position, position + 12))})`;
    throw new InvalidArgumentError(`Not valid JSON${where}: ${reason.replace(/ (in|after) JSON at position \d+$/, "")}. Use double quotes for strings and quote the whole value for the shell, e.g. '["a", 1]'.`);
  }
}

/** A JSON array: positional arguments (`--args`). */
export function jsonArray(text: string): unknown[] {
  const value = parseJsonText(text);
  if (!Array.isArray(value)) throw new InvalidArgumentError(`Must be a JSON array of positional arguments, e.g. '[2, 3]'; got ${typeof value === "object" && value !== null ? "an object" : JSON.stringify(value)}`);
  return value;
}

/** A JSON object: keyword arguments (`--kwargs`). */
export function jsonObject(text: string): Record<string, unknown> {
  const value = parseJsonText(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`Must be a JSON object of keyword arguments, e.g. '{"x": 1}'; got ${Array.isArray(value) ? "an array" : JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}
