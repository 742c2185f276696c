// Coalesces many small Redis writes into one: the same idea as ioredis auto-pipelining, for writes it cannot pipeline (MULTI blocks, one script for many keys).

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Collects items added in the same tick, plus everything added while a flush is in flight, and
 * hands them to `flush` together; each `add` resolves with its own entry of the flush's results
 * (same order as the items), or rejects with the flush's error. Under load one round trip then
 * settles a whole burst (e.g. 64 acks in one MULTI) instead of one round trip each, and an idle
 * caller still goes out on the next tick.
 */
export class CoalescedBatch<T, R = void> {
  private pending: Pending<T, R>[] = [];
  private running = false;
  private scheduled = false;

  constructor(private readonly flush: (items: T[]) => Promise<readonly R[]>) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.running && !this.scheduled) {
        this.scheduled = true;
        process.nextTick(() => void this.run());
      }
    });
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        const results = await this.flush(batch.map((entry) => entry.item));
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]!);
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.running = false;
  }
}
