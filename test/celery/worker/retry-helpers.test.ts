import { describe, expect, it } from "vitest";
import { ChordError, NotRegistered, RevokedSet, SoftTimeLimitExceeded, describeError, exponentialBackoff } from "../../../src/celery/index";

describe("exponential backoff", () => {
  it("doubles per retry up to the maximum, as get_exponential_backoff_interval", () => {
    expect([0, 1, 2, 3].map((retries) => exponentialBackoff(1, retries, 600, false))).toEqual([1, 2, 4, 8]);
    expect(exponentialBackoff(3, 10, 600, false)).toBe(600);
  });

  it("with full jitter picks a whole number between 0 and the backoff", () => {
    expect(exponentialBackoff(1, 3, 600, true, () => 0)).toBe(0);
    expect(exponentialBackoff(1, 3, 600, true, () => 0.999)).toBe(8);
    expect(exponentialBackoff(1, 3, 600, true, () => 0.5)).toBe(4);
  });
});

describe("the revoked set", () => {
  it("keeps at most its limit, dropping the oldest first", () => {
    const set = new RevokedSet(2, 3600);
    set.add("a", 0);
    set.add("b", 1);
    set.add("c", 2);
    expect(set.ids()).toEqual(["b", "c"]);
    expect(set.has("a")).toBe(false);
  });

  it("forgets ids older than its expiry", () => {
    const set = new RevokedSet(10, 1);
    set.add("a", 0);
    set.add("b", 5_000);
    expect(set.ids()).toEqual(["b"]);
  });
});

describe("error descriptions", () => {
  it("describe Celery's own exceptions with their Python class and module", () => {
    expect(describeError(new NotRegistered("tasks.nope")).exc).toEqual({ exc_type: "NotRegistered", exc_message: ["tasks.nope"], exc_module: "celery.exceptions" });
    expect(describeError(new ChordError("Dependency x raised ValueError('boom')")).repr).toBe(`ChordError("Dependency x raised ValueError('boom')")`);
    expect(describeError(new SoftTimeLimitExceeded(2)).exc).toEqual({ exc_type: "SoftTimeLimitExceeded", exc_message: [2], exc_module: "billiard.exceptions" });
  });

  it("repr a JS error as the Python exception it becomes", () => {
    const description = describeError(new RangeError("bad value"));
    expect(description.repr).toBe("ValueError('bad value')");
    expect(description.traceback).toContain("ValueError: bad value");
  });
});
