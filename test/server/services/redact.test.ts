import { describe, expect, it } from "vitest";
import { REDACTED, redactPattern, redactText, redactValue } from "../../../src/server/services/redact";

const keys = redactPattern();

describe("redaction", () => {
  it("replaces the values of sensitive keys at any depth and keeps the rest", () => {
    const value = { user: "u1", password: "hunter2", nested: [{ api_key: "k", token: 7, note: "ok" }], Authorization: "Bearer x" };
    expect(redactValue(value, keys)).toEqual({ user: "u1", password: REDACTED, nested: [{ api_key: REDACTED, token: REDACTED, note: "ok" }], Authorization: REDACTED });
  });

  it("redacts JSON text and leaves arrays of plain values alone", () => {
    expect(redactText('[["u1", "pixel-9"], {"secret": "s"}]', keys)).toBe(`[["u1","pixel-9"],{"secret":"${REDACTED}"}]`);
    expect(redactText("[1, 2]", keys)).toBe("[1,2]");
  });

  it("masks key/value pairs in reprs that are not JSON", () => {
    const repr = "{'user': 'u1', 'password': 'hunter2', 'db_token': \"abc\"}";
    const masked = redactText(repr, keys) ?? "";
    expect(masked).not.toContain("hunter2");
    expect(masked).not.toContain("abc");
    expect(masked).toContain("'user': 'u1'");
    expect(redactText("login(user='u1', password=hunter2)", keys)).not.toContain("hunter2");
  });

  it("uses the configured pattern", () => {
    expect(redactValue({ ssn: "1", password: "p" }, redactPattern("ssn"))).toEqual({ ssn: REDACTED, password: "p" });
    expect(redactText(null, keys)).toBeNull();
  });
});
