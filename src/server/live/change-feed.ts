// One watcher of the store for every open page: while anyone listens, the store's change mark is
// read once a second (one query, however many browsers are open) and each change is pushed to every
// listener, which then refetches what it shows. Nobody listening, nothing is read.

import { reasonOf } from "../app-error";
import type { ChangeMark } from "../store/index";

export interface ChangeFeedOptions {
  /** Reads the current change mark (Store.changeMark). */
  read: () => Promise<ChangeMark>;
  /** Between two reads. Default 1000. */
  intervalMs?: number;
  /** A read failed (said once per run of failures). */
  onError?: (message: string) => void;
}

export type ChangeListener = (mark: ChangeMark) => void;

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private timer: NodeJS.Timeout | null = null;
  // A read is under way: it schedules the next one itself.
  private reading = false;
  private mark: ChangeMark | null = null;
  // The mark as text: what SharedReads keys its answers on.
  private text: string | null = null;
  private failing = false;
  /** Reads made so far (for the benchmark: one per interval, whatever the number of listeners). */
  reads = 0;

  constructor(private readonly options: ChangeFeedOptions) {}

  /** The last mark read, as text, or null while nobody listens. */
  get current(): string | null {
    return this.text;
  }

  get listening(): number {
    return this.listeners.size;
  }

  /** Calls `listener` with each new mark from now on; returns the unsubscribe. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    if (this.mark) listener(this.mark);
    if (!this.timer && !this.reading) this.schedule(0);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      // A mark kept while nobody listens would be stale for the next listener.
      this.mark = null;
      this.text = null;
    };
  }

  close(): void {
    this.listeners.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => void this.poll(), delay);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    this.timer = null;
    this.reading = true;
    try {
      this.reads += 1;
      const mark = await this.options.read();
      this.failing = false;
      const text = JSON.stringify(mark);
      if (text !== this.text && this.listeners.size > 0) {
        this.mark = mark;
        this.text = text;
        for (const listener of this.listeners) listener(mark);
      }
    } catch (error) {
      if (!this.failing) this.options.onError?.(`Watching the store for changes failed (${reasonOf(error)}); pages fall back to polling until it works again.`);
      this.failing = true;
    }
    this.reading = false;
    if (this.listeners.size > 0) this.schedule(this.options.intervalMs ?? 1_000);
  }
}
