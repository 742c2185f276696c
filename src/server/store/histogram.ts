// The fixed log-scale histogram the rollups keep for runtimes and queue waits: four buckets per
// doubling from 1 ms, so any time range's p50/p95/p99 is the sum of per-minute arrays, within ±10%.

/** Upper bound of bucket 0, in seconds; everything faster lands there. */
const FIRST_BOUND = 0.001;
const BUCKETS_PER_DOUBLING = 4;
/** 1 ms × 2^28 ≈ 3.1 days: anything slower lands in the last bucket. */
export const HISTOGRAM_BUCKETS = 28 * BUCKETS_PER_DOUBLING + 1;

/** The bucket a duration (seconds) falls into. */
export function histogramBucket(seconds: number): number {
  if (!(seconds > FIRST_BOUND)) return 0;
  const index = Math.ceil(Math.log2(seconds / FIRST_BOUND) * BUCKETS_PER_DOUBLING);
  return Math.min(index, HISTOGRAM_BUCKETS - 1);
}

/** Upper bound of a bucket, in seconds. */
export function bucketUpperBound(bucket: number): number {
  return FIRST_BOUND * 2 ** (bucket / BUCKETS_PER_DOUBLING);
}

/** A zeroed histogram. */
export function emptyHistogram(): number[] {
  return new Array<number>(HISTOGRAM_BUCKETS).fill(0);
}

/**
 * The `q` quantile (0..1) of a histogram, as the geometric middle of the bucket holding it, or
 * null when the histogram is empty.
 */
export function histogramQuantile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let bucket = 0; bucket < histogram.length; bucket++) {
    seen += histogram[bucket] ?? 0;
    if (seen >= rank) return bucket === 0 ? FIRST_BOUND / 2 : Math.sqrt(bucketUpperBound(bucket - 1) * bucketUpperBound(bucket));
  }
  return bucketUpperBound(histogram.length - 1);
}
