// The ingest counters are running totals without history: to know how much one grew over a
// window, the evaluator remembers what it read at each evaluation (bounded by the longest window
// asked for). A restart forgets: the increase is then counted from the first evaluation after it.

interface Reading {
  /** Epoch seconds. */
  at: number;
  values: Record<string, number>;
}

export class CounterHistory {
  private readings: Reading[] = [];

  /** Remembers the counters read at `at`, forgetting readings older than `keepSeconds` before it (but one). */
  record(at: number, values: Record<string, number>, keepSeconds: number): void {
    this.readings.push({ at, values });
    // Keep the newest reading at or before the horizon: it is the baseline of the longest window.
    const horizon = at - keepSeconds;
    let first = 0;
    while (first + 1 < this.readings.length && this.readings[first + 1]!.at <= horizon) first++;
    if (first > 0) this.readings = this.readings.slice(first);
  }

  /**
   * How much the counters `matches` selects grew over the window ending at the latest reading: from
   * the newest reading at or before the window's start, or the oldest one kept. A counter that went
   * down (the store was reset) counts from zero.
   */
  increase(matches: (name: string) => boolean, windowSeconds: number): number {
    const latest = this.readings.at(-1);
    if (!latest) return 0;
    const start = latest.at - windowSeconds;
    const base = this.readings.findLast((reading) => reading.at <= start) ?? this.readings[0]!;
    let total = 0;
    for (const [name, value] of Object.entries(latest.values)) {
      if (!matches(name)) continue;
      const before = base.values[name] ?? 0;
      total += value >= before ? value - before : value;
    }
    return total;
  }
}
