// Hands quarantined inputs to the store off the ingestion's path: entries wait in a bounded list
// and go in one write at a time; a store that is down gets them again after a pause, and past the
// bound the oldest waiting entries are dropped (the inputs are counted as quarantined either way).

import { reasonOf } from "../app-error";
import type { QuarantineEntry, QuarantineSink } from "./quarantine-entry";

const RETRY_MS = 5_000;

export class QuarantineWriter {
  #pending: QuarantineEntry[] = [];
  #running: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** Entries that never reached the store (the bound was hit while it was down). */
  dropped = 0;

  constructor(
    private readonly sink: QuarantineSink | undefined,
    private readonly report: (error: Error) => void,
    private readonly limit = 1_000,
  ) {}

  add(entry: QuarantineEntry): void {
    if (!this.sink) return;
    this.#pending.push(entry);
    if (this.#pending.length > this.limit) this.dropped += this.#pending.splice(0, this.#pending.length - this.limit).length;
    if (!this.#timer) this.#running ??= this.#write();
  }

  /** Resolves once nothing is being written (entries kept for a retry may remain). */
  async idle(): Promise<void> {
    await this.#running;
  }

  /** Stops retrying. */
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #write(): Promise<void> {
    // Let the entries of one burst gather into one write.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#pending.length > 0) {
      const entries = this.#pending.splice(0);
      try {
        await this.sink!.quarantine(entries);
      } catch (error) {
        this.#pending.unshift(...entries);
        this.report(new Error(`Could not keep ${entries.length} quarantined input(s) in the store (${reasonOf(error)}); trying again in ${RETRY_MS / 1000} s.`));
        this.#timer = setTimeout(() => {
          this.#timer = null;
          this.#running ??= this.#write();
        }, RETRY_MS);
        this.#timer.unref();
        break;
      }
    }
    this.#running = null;
  }
}
