// Browser-side validation of the JSON an operator types for a task's args and kwargs, with a
// message that says what to fix (the server validates again).

export type JsonFieldResult<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Parses `text` as the JSON `kind` expects: args are an array, kwargs an object. Blank means
 * empty (`[]` / `{}`).
 */
export function parseJsonField(text: string, kind: "args"): JsonFieldResult<unknown[]>;
export function parseJsonField(text: string, kind: "kwargs"): JsonFieldResult<Record<string, unknown>>;
export function parseJsonField(text: string, kind: "args" | "kwargs"): JsonFieldResult<unknown[] | Record<string, unknown>> {
  if (text.trim() === "") return { ok: true, value: kind === "args" ? [] : {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${kind} is not valid JSON: ${(error as Error).message}` };
  }
  if (kind === "args" && !Array.isArray(value)) return { ok: false, error: 'args must be a JSON array, e.g. [1, "two"]' };
  if (kind === "kwargs" && (value === null || typeof value !== "object" || Array.isArray(value))) return { ok: false, error: 'kwargs must be a JSON object, e.g. {"user_id": "u1"}' };
  return { ok: true, value: value as unknown[] | Record<string, unknown> };
}
