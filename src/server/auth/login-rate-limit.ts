// Login throttling: a sliding window per client address and per account name, so neither one
// host guessing many accounts nor many hosts guessing one account gets far.

export interface LoginRateLimitOptions {
  /** Failed attempts allowed per window. Default 5. */
  attempts?: number;
  /** Window length in ms. Default 15 minutes. */
  windowMs?: number;
  now?: () => number;
}

export class LoginRateLimit {
  readonly #failures = new Map<string, number[]>();
  readonly #attempts: number;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(options: LoginRateLimitOptions = {}) {
    this.#attempts = options.attempts ?? 5;
    this.#windowMs = options.windowMs ?? 15 * 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Milliseconds until `keys` may try again, or 0 when none of them is throttled. */
  retryAfterMs(keys: string[]): number {
    const now = this.#now();
    let wait = 0;
    for (const key of keys) {
      const recent = this.#recent(key, now);
      if (recent.length >= this.#attempts) wait = Math.max(wait, (recent[0] ?? now) + this.#windowMs - now);
    }
    return wait;
  }

  recordFailure(keys: string[]): void {
    const now = this.#now();
    for (const key of keys) this.#failures.set(key, [...this.#recent(key, now), now]);
    // Bounded memory: forget keys whose window has passed.
    if (this.#failures.size > 10_000) for (const key of this.#failures.keys()) if (this.#recent(key, now).length === 0) this.#failures.delete(key);
  }

  recordSuccess(keys: string[]): void {
    for (const key of keys) this.#failures.delete(key);
  }

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((at) => at > now - this.#windowMs);
  }
}
