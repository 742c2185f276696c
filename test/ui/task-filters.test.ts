// The task list's filters survive a trip through the URL and become the server query they mean.

import { describe, expect, it } from "vitest";
import { filtersFromSearch, filtersToQuery, filtersToSearch, hasNoFilter } from "../../src/app/_lib/task-filters";

describe("task filters in the URL", () => {
  it("round-trip every filter through the query string", () => {
    const filters = { name: "seedflow.add", states: ["RETRY", "FAILURE"], worker: "celery@a", queue: "q 1", rootId: "r-1", text: "user 42", range: "6h" as const, order: "oldest" as const };
    const search = filtersToSearch(filters);
    expect(search).toBe("name=seedflow.add&worker=celery%40a&queue=q+1&root=r-1&q=user+42&state=RETRY%2CFAILURE&range=6h&order=oldest");
    expect(filtersFromSearch(new URLSearchParams(search))).toEqual(filters);
  });

  it("ignore unknown states, ranges and blank values from a hand-edited URL", () => {
    const filters = filtersFromSearch(new URLSearchParams("state=FAILURE,BOGUS&state=SUCCESS&range=3y&name=%20%20&order=sideways"));
    expect(filters).toEqual({ states: ["SUCCESS", "FAILURE"], order: "newest" });
    expect(hasNoFilter(filters)).toBe(false);
    expect(hasNoFilter(filtersFromSearch(new URLSearchParams("")))).toBe(true);
    expect(filtersToSearch({ states: [], order: "newest" })).toBe("");
  });

  it("turn a time range into a from bound relative to now", () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(filtersToQuery({ states: ["PENDING"], range: "1h", order: "newest", queue: "celery" }, now)).toEqual({ order: "newest", state: ["PENDING"], queue: "celery", from: now / 1000 - 3600 });
    expect(filtersToQuery({ states: [], order: "oldest" }, now)).toEqual({ order: "oldest" });
  });
});
