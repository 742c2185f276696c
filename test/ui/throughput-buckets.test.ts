// The overview chart's buckets: a bounded number of bars over any range, gaps included, counts
// as per-minute rates.

import { describe, expect, it } from "vitest";
import { type ThroughputMinuteInput, bucketMinutes, throughputBuckets } from "../../src/app/_lib/throughput-buckets";

describe("throughputBuckets", () => {
  it("uses one-minute bars up to two hours and wider ones beyond, never more than 120 bars", () => {
    expect(bucketMinutes(15 * 60)).toBe(1);
    expect(bucketMinutes(3600 + 60)).toBe(1);
    expect(bucketMinutes(6 * 3600 + 60)).toBe(5);
    expect(bucketMinutes(24 * 3600 + 60)).toBe(15);
    expect(bucketMinutes(7 * 24 * 3600 + 60)).toBe(120);
    for (const seconds of [900, 3660, 21_660, 86_460, 604_860]) {
      expect(throughputBuckets([], 1_000_000 - seconds, 1_000_000).buckets.length).toBeLessThanOrEqual(121);
    }
  });

  it("fills empty minutes with empty buckets and sums states per bucket as a rate", () => {
    const from = 6000;
    const minutes: ThroughputMinuteInput[] = [
      { minute: 6000, counts: { SUCCESS: 4 } },
      { minute: 6180, counts: { SUCCESS: 1, FAILURE: 2 } },
    ];
    const { width, buckets, states } = throughputBuckets(minutes, from, from + 300);
    expect(width).toBe(1);
    expect(buckets.map((bucket) => bucket.counts)).toEqual([{ SUCCESS: 4 }, {}, {}, { SUCCESS: 1, FAILURE: 2 }, {}]);
    expect(states.sort()).toEqual(["FAILURE", "SUCCESS"]);
    const wide = throughputBuckets([{ minute: 0, counts: { SUCCESS: 10 } }, { minute: 60, counts: { SUCCESS: 20 } }], 0, 7 * 3600);
    expect(wide.width).toBe(5);
    expect(wide.buckets[0]?.counts.SUCCESS).toBe(6);
  });

  it("drops minutes outside the range", () => {
    const { buckets } = throughputBuckets([{ minute: 0, counts: { SUCCESS: 1 } }, { minute: 99_999, counts: { SUCCESS: 1 } }], 600, 900);
    expect(buckets.every((bucket) => Object.keys(bucket.counts).length === 0)).toBe(true);
  });
});
