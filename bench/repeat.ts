// Repeated measurement for the benchmarks: every figure is the median of several runs with its
// range, so one noisy run on a shared two-core machine can neither make nor break a ratio.

/** The runs of one measurement, in the order they were taken. */
export interface Runs {
  values: number[];
  median: number;
  min: number;
  max: number;
}

/** Median and range of `values` (at least one). */
export function summarize(values: number[]): Runs {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { values, median, min: sorted[0]!, max: sorted.at(-1)! };
}

/** Runs `measure` `times` times, one after the other, and summarizes what it returned. */
export async function repeat(times: number, measure: (run: number) => Promise<number> | number): Promise<Runs> {
  const values: number[] = [];
  for (let run = 0; run < times; run++) values.push(await measure(run));
  return summarize(values);
}

/** "12,345 (11,900–12,800)" with `digits` decimals. */
export function formatRuns(runs: Runs, digits = 0): string {
  const format = (value: number) => value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${format(runs.median)} (${format(runs.min)}–${format(runs.max)})`;
}

/** The ratio of two medians as "×1.23". */
export function ratio(ours: Runs, theirs: Runs): string {
  return `×${(ours.median / theirs.median).toFixed(2)}`;
}
