// A Lamport logical clock shared by an event dispatcher and receiver; mirrors kombu/clocks.py LamportClock.

/**
 * The logical clock Celery stamps on every event (`clock`). Share one instance between an
 * `EventDispatcher` and an `EventReceiver`, as Celery shares `app.clock`, so events we send are
 * ordered after the events we have seen.
 */
export class LamportClock {
  private current: number;

  constructor(initialValue = 0) {
    this.current = initialValue;
  }

  get value(): number {
    return this.current;
  }

  /** Advances the clock for a local event and returns the new value. */
  forward(): number {
    this.current += 1;
    return this.current;
  }

  /** Merges a clock value seen on a received event: max(own, other) + 1. */
  adjust(other: number): number {
    this.current = Math.max(this.current, other) + 1;
    return this.current;
  }
}
