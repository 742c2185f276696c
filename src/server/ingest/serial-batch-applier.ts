// Hands batches to the store one at a time, in arrival order, retrying through a store outage:
// capture records must reach the store in publish order (a plan before the messages that realize
// it) and a record is acknowledged only once the store has it.

import { applyIsolating } from "./apply-isolating";
import type { HistoryWriter, IngestBatch } from "./observation";

export interface SerialBatchApplierOptions {
  /** Told about every failed attempt; the batch is retried after a backoff. */
  onStoreError?: (error: Error, attempt: number) => void;
  /**
   * Given each observation the store refuses (one at a time, with its reason): the rest of its
   * batch is written and the batch counts as applied (see applyIsolating).
   */
  onRefused?: (refused: IngestBatch, reason: string) => void;
  /** First retry delay, doubled per attempt up to `maxBackoffMs`. Default 200 ms. */
  initialBackoffMs?: number;
  /** Default 10 s. */
  maxBackoffMs?: number;
}

/** A FIFO of batches applied one after another with retries; `stop()` abandons what is left. */
export class SerialBatchApplier {
  #tail: Promise<void> = Promise.resolve();
  #stopped = false;
  #wakeStopped: (() => void) | undefined;
  readonly #stoppedSignal: Promise<void>;
  #pending = 0;

  constructor(
    private readonly writer: HistoryWriter,
    private readonly options: SerialBatchApplierOptions = {},
  ) {
    this.#stoppedSignal = new Promise((resolve) => (this.#wakeStopped = resolve));
  }

  /** Batches accepted and not yet applied. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Queues a batch; resolves true once applyBatch resolved for it, false if the applier was
   * stopped first (the batch was not applied: its record must stay unacknowledged).
   */
  apply(batch: IngestBatch): Promise<boolean> {
    this.#pending++;
    const done = this.#tail.then(() => this.#applyWithRetry(batch));
    this.#tail = done.then(
      () => undefined,
      () => undefined,
    );
    return done.finally(() => this.#pending--);
  }

  async #applyWithRetry(batch: IngestBatch): Promise<boolean> {
    let delay = this.options.initialBackoffMs ?? 200;
    for (let attempt = 1; !this.#stopped; attempt++) {
      try {
        await applyIsolating(this.writer, batch, (refused, reason) => this.options.onRefused?.(refused, reason));
        return true;
      } catch (error) {
        this.options.onStoreError?.(error as Error, attempt);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, delay))), this.#stoppedSignal]);
        clearTimeout(timer);
        delay = Math.min(delay * 2, this.options.maxBackoffMs ?? 10_000);
      }
    }
    return false;
  }

  /** Waits until everything queued so far is applied (or abandoned by stop). */
  idle(): Promise<void> {
    return this.#tail;
  }

  /** Stops retrying; batches not applied yet resolve false. */
  stop(): void {
    this.#stopped = true;
    this.#wakeStopped?.();
  }
}
