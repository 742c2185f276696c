// Answers shared between viewers: computed once per change mark, recomputed after a change or a
// failure, never shared while nobody listens (no mark to tell a stale answer by).

import { expect, it } from "vitest";
import type { ChangeFeed } from "../../../src/server/live/change-feed";
import { SharedReads } from "../../../src/server/live/shared-reads";

function feedAt(mark: { current: string | null }): ChangeFeed {
  return mark as unknown as ChangeFeed;
}

it("computes an answer once per mark and key, and again after the mark moves", async () => {
  const mark = { current: "m1" as string | null };
  const reads = new SharedReads(feedAt(mark));
  let computed = 0;
  const compute = async () => ++computed;
  expect(await Promise.all(Array.from({ length: 50 }, () => reads.read("tasks page 1", compute)))).toEqual(Array(50).fill(1));
  expect(await reads.read("tasks page 2", compute)).toBe(2);
  mark.current = "m2";
  expect(await reads.read("tasks page 1", compute)).toBe(3);
  expect(await reads.read("tasks page 1", compute)).toBe(3);
});

it("shares nothing while nobody listens for changes, and keeps no failed answer", async () => {
  const mark = { current: null as string | null };
  const reads = new SharedReads(feedAt(mark));
  let computed = 0;
  await reads.read("k", async () => ++computed);
  await reads.read("k", async () => ++computed);
  expect(computed).toBe(2);
  mark.current = "m1";
  await expect(reads.read("k", async () => Promise.reject(new Error("store down")))).rejects.toThrow("store down");
  expect(await reads.read("k", async () => "fresh")).toBe("fresh");
});
