// Redaction of sensitive values before anything reaches a browser or the audit log: any object
// key matching the configured pattern (default password|token|secret|api_key|authorization) has
// its value replaced, at any depth, in JSON values and in JSON text.

export const REDACTED = "[redacted]";

export const DEFAULT_REDACT_PATTERN = "password|passwd|token|secret|api[_-]?key|authorization|credential";

/** A copy of `value` with the values of matching keys replaced by REDACTED. */
export function redactValue(value: unknown, keys: RegExp): unknown {
  if (Array.isArray(value)) return value.map((item) => redactValue(item, keys));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, keys.test(key) ? REDACTED : redactValue(inner, keys)]));
  }
  return value;
}

/**
 * JSON text with matching keys redacted; text that is not JSON (a repr from events) has
 * `'key': value` and `key=value` pairs of matching keys masked instead.
 */
export function redactText(text: string | null | undefined, keys: RegExp): string | null {
  if (text === null || text === undefined) return null;
  try {
    return JSON.stringify(redactValue(JSON.parse(text), keys));
  } catch {
    const source = keys.source;
    return text
      .replace(new RegExp(`(['"]?(?:${source})['"]?\\s*[:=]\\s*)('(?:[^'\\\\]|\\\\.)*'|"(?:[^"\\\\]|\\\\.)*"|[^,}\\s)]+)`, "gi"), `$1'${REDACTED}'`);
  }
}

/** The pattern as a case-insensitive RegExp matching anywhere in a key. */
export function redactPattern(pattern: string = DEFAULT_REDACT_PATTERN): RegExp {
  return new RegExp(pattern, "i");
}
