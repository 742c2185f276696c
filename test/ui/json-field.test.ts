// The send form's JSON checks: args must be an array, kwargs an object, errors say what to type.

import { describe, expect, it } from "vitest";
import { parseJsonField } from "../../src/app/_lib/json-field";

describe("parseJsonField", () => {
  it("accepts an array for args and an object for kwargs, blank as empty", () => {
    expect(parseJsonField('[1, "two", {"x": null}]', "args")).toEqual({ ok: true, value: [1, "two", { x: null }] });
    expect(parseJsonField('{"user_id": "u1"}', "kwargs")).toEqual({ ok: true, value: { user_id: "u1" } });
    expect(parseJsonField("  ", "args")).toEqual({ ok: true, value: [] });
    expect(parseJsonField("", "kwargs")).toEqual({ ok: true, value: {} });
  });

  it("explains invalid JSON and the wrong shape", () => {
    const broken = parseJsonField("[1, 2", "args");
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).toMatch(/^args is not valid JSON: /);
    expect(parseJsonField('{"a": 1}', "args")).toEqual({ ok: false, error: 'args must be a JSON array, e.g. [1, "two"]' });
    expect(parseJsonField("[1]", "kwargs")).toEqual({ ok: false, error: 'kwargs must be a JSON object, e.g. {"user_id": "u1"}' });
    expect(parseJsonField("null", "kwargs").ok).toBe(false);
  });
});
