// Coalesces many small Redis writes into one: the same idea as ioredis auto-pipelining, for writes it cannot pipeline (MULTI blocks).

interface Pending<T> {
  item: T;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Collects items added in the same tick, plus everything added while a flush is in flight, and
 * hands them to `flush` together; each `add` resolves or rejects with the flush that carried it.
 * Under load one round trip then settles a whole burst (e.g. 64 acks in one MULTI) instead of
 * one round trip each, and an idle caller still goes out on the next tick.
 */
export class CoalescedBatch<T> {
  private pending: Pending<T>[] = [];
  private running = false;
  private scheduled = false;

  constructor(private readonly flush: (items: T[]) => Promise<void>) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
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
        await this.flush(batch.map((entry) => entry.item));
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.running = false;
  }
}
