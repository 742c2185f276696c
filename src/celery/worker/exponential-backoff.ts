// The countdown of an automatic retry with backoff; mirrors celery.utils.time.get_exponential_backoff_interval.

/**
 * `min(maximum, factor * 2**retries)`, and with full jitter a uniformly random whole number of
 * seconds in `[0, that]` (Python's `random.randrange(countdown + 1)`).
 */
export function exponentialBackoff(factor: number, retries: number, maximum: number, fullJitter: boolean, random: () => number = Math.random): number {
  const countdown = Math.min(maximum, factor * 2 ** retries);
  const jittered = fullJitter ? Math.floor(random() * (Math.floor(countdown) + 1)) : countdown;
  return Math.max(0, jittered);
}
