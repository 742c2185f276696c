// The overview's throughput chart as bars: the store's per-minute rollups (only minutes with
// finished tasks) regrouped into evenly spaced buckets covering the whole range, empty ones
// included, so a week is ~84 bars rather than 10,080 and a quiet minute shows as a gap.

export interface ThroughputMinuteInput {
  /** Epoch seconds of the minute's start. */
  minute: number;
  counts: Record<string, number>;
}

export interface ThroughputBucket {
  /** Epoch seconds of the bucket's start. */
  at: number;
  /** Finished tasks by state in the bucket, per minute of bucket width. */
  counts: Record<string, number>;
}

// Bucket widths in minutes, smallest first: the first that keeps the chart under MAX_BARS wins.
const WIDTHS = [1, 5, 15, 30, 60, 120, 360, 720, 1440];
const MAX_BARS = 120;

/** Minutes per bucket for a range of `seconds`. */
export function bucketMinutes(seconds: number): number {
  return WIDTHS.find((width) => seconds / 60 / width <= MAX_BARS) ?? WIDTHS[WIDTHS.length - 1]!;
}

/** Buckets from `from` to `to` (epoch seconds) with the minutes' counts summed per state, as a rate per minute. */
export function throughputBuckets(minutes: readonly ThroughputMinuteInput[], from: number, to: number): { width: number; buckets: ThroughputBucket[]; states: string[] } {
  const width = bucketMinutes(to - from);
  const step = width * 60;
  const first = Math.floor(from / step) * step;
  const buckets: ThroughputBucket[] = [];
  for (let at = first; at < to; at += step) buckets.push({ at, counts: {} });
  const states = new Set<string>();
  for (const minute of minutes) {
    const bucket = buckets[Math.floor((minute.minute - first) / step)];
    if (!bucket) continue;
    for (const [state, count] of Object.entries(minute.counts)) {
      states.add(state);
      bucket.counts[state] = (bucket.counts[state] ?? 0) + count / width;
    }
  }
  return { width, buckets, states: [...states] };
}
