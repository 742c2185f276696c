// Display formatting: durations and ages at every scale, percentages, short ids and names.

import { describe, expect, it } from "vitest";
import { formatAge, formatDuration, formatPercent, shortId, shortName } from "../../src/app/_lib/format";

describe("format", () => {
  it("writes durations from microseconds to days", () => {
    expect([0.0000005, 0.0123, 3.24, 42.6, 250, 7500, 200_000].map(formatDuration)).toEqual(["1 µs", "12 ms", "3.2 s", "43 s", "4 min 10 s", "2 h 5 min", "2 d 7 h"]);
    expect([undefined, null, Number.NaN].map(formatDuration)).toEqual(["—", "—", "—"]);
  });

  it("writes ages, percentages, ids and names", () => {
    expect([formatAge(0.4), formatAge(3.2), formatAge(undefined)]).toEqual(["just now", "3.2 s ago", "—"]);
    expect([formatPercent(0), formatPercent(0.0123), formatPercent(0.5), formatPercent(1)]).toEqual(["0 %", "1.2 %", "50 %", "100 %"]);
    expect(shortId("c509b710-b432-4dee-a9b4-b8b9a7318695")).toBe("c509b710");
    expect(shortId("short")).toBe("short");
    expect([shortName("seedflow.post_to_api"), shortName("plain"), shortName(undefined)]).toEqual(["post_to_api", "plain", "(unknown task)"]);
  });
});
