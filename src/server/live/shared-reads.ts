// Reads that every viewer sees the same (the task list's pages, workers, queues, the overview),
// computed once per change of the store: when a change is pushed to fifty open browsers, they all
// ask again, and the first of them pays for the query while the rest share its answer.

import type { ChangeFeed } from "./change-feed";

/** Answers kept at once; the oldest goes first. */
const LIMIT = 256;

export class SharedReads {
  private readonly answers = new Map<string, { mark: string; value: Promise<unknown> }>();

  constructor(private readonly feed: ChangeFeed) {}

  /**
   * The answer for `key` computed since the store last changed, or `compute()`'s. Without anyone
   * listening for changes there is no way to tell a stale answer, so nothing is shared.
   */
  read<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const mark = this.feed.current;
    if (mark === null) return compute();
    const kept = this.answers.get(key);
    if (kept && kept.mark === mark) return kept.value as Promise<T>;
    const value = compute();
    this.answers.delete(key);
    this.answers.set(key, { mark, value });
    // A failed read is not an answer: the next caller tries again.
    value.catch(() => this.answers.get(key)?.value === value && this.answers.delete(key));
    if (this.answers.size > LIMIT) this.answers.delete(this.answers.keys().next().value!);
    return value;
  }
}
