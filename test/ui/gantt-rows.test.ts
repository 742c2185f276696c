// The workflow timeline: rows in time order with wait and run spans, open spans running to now,
// planned steps left off the axis, and only the visible window of 10,000 rows rendered.

import { describe, expect, it } from "vitest";
import { ganttRows, visibleRowRange } from "../../src/app/_lib/gantt-rows";

describe("ganttRows", () => {
  it("orders rows by first time and spans the axis from the first send to the last finish", () => {
    const data = ganttRows(
      [
        { id: "b", state: "SUCCESS", sentAt: 12, startedAt: 13, finishedAt: 15 },
        { id: "a", state: "SUCCESS", sentAt: 10, startedAt: 10.5, finishedAt: 11 },
        { id: "p", state: "PLANNED" },
      ],
      100,
    );
    expect(data.rows.map((row) => row.task.id)).toEqual(["a", "b"]);
    expect(data.rows[0]).toMatchObject({ waitFrom: 10, runFrom: 10.5, runTo: 11, open: false });
    expect([data.start, data.end, data.untimed]).toEqual([10, 15, 1]);
  });

  it("lets an unfinished task run to now", () => {
    const data = ganttRows([{ id: "s", state: "STARTED", sentAt: 10, startedAt: 11 }, { id: "w", state: "PENDING", sentAt: 12 }], 20);
    expect(data.rows.map((row) => row.open)).toEqual([true, true]);
    expect(data.end).toBe(20);
  });

  it("gives an empty or single-instant workflow a non-empty axis", () => {
    expect(ganttRows([], 50)).toMatchObject({ start: 49, end: 50 });
    const instant = ganttRows([{ id: "x", state: "SUCCESS", sentAt: 5, finishedAt: 5 }], 50);
    expect(instant.end).toBeGreaterThan(instant.start);
  });
});

describe("visibleRowRange", () => {
  it("renders only the rows in view plus overscan, whatever the row count", () => {
    expect(visibleRowRange(0, 600, 24, 10_000)).toEqual({ first: 0, last: 35 });
    expect(visibleRowRange(24 * 5000, 600, 24, 10_000)).toEqual({ first: 4990, last: 5035 });
    expect(visibleRowRange(24 * 9990, 600, 24, 10_000).last).toBe(10_000);
  });
});
