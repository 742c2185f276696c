// Which reads a pushed change refetches: only those that show the kinds of data that changed.

import { describe, expect, it } from "vitest";
import { changedKinds, showsAny } from "../../src/app/_lib/live";

const marks = { tasks: "t1", workers: "w1", queues: "q1", audit: "a1", quarantine: "x1", counters: "c1" };

describe("live push", () => {
  it("finds the kinds whose mark moved, and every kind the first time", () => {
    expect(changedKinds(marks, { ...marks, queues: "q2" })).toEqual(new Set(["queues"]));
    expect(changedKinds(marks, marks)).toEqual(new Set());
    expect(changedKinds(null, marks)).toEqual(new Set(Object.keys(marks)));
  });

  it("refetches the task list for tasks, not for queue samples; the overview for anything", () => {
    expect(showsAny("history.tasks", new Set(["queues"]))).toBe(false);
    expect(showsAny("history.tasks", new Set(["tasks"]))).toBe(true);
    expect(showsAny("history.queues", new Set(["tasks"]))).toBe(true);
    expect(showsAny("history.overview", new Set(["counters"]))).toBe(true);
    expect(showsAny("history.overview", new Set())).toBe(false);
    expect(showsAny("demo.state", new Set(["tasks"]))).toBe(false);
  });
});
