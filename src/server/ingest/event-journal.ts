// A bounded journal on local disk for events that arrive over pub/sub (Redis) faster than the store
// takes them: instead of dropping what the memory bound cannot hold, the ingestor appends it here,
// one JSON line per event, and replays it, oldest first, once the store has caught up. Segments
// left by a process that stopped before replaying are replayed by the next one. Only when the
// journal's own bound is reached is an event dropped (and counted by the caller).

import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { CeleryEvent } from "../../celery/index";
import { AppError } from "../app-error";
import { takePidLock } from "../pid-lock";

export interface EventJournalOptions {
  /** Where segments are written (created when missing). */
  dir: string;
  /** Most bytes on disk, all segments together. Default 512 MiB. */
  maxBytes?: number;
  /** Events per segment: one segment is replayed at a time, so this bounds the memory a replay takes. */
  segmentEvents: number;
}

interface Segment {
  path: string;
  events: number;
  bytes: number;
  /** Resolves once everything written to it is on disk. */
  flushed: Promise<void>;
}

const SEGMENT = /^events-(\d{12})\.jsonl$/;

export class EventJournal {
  private readonly maxBytes: number;
  private readonly closed: Segment[] = [];
  private writing: (Segment & { stream: WriteStream }) | null = null;
  private sequence = 0;
  private bytes = 0;
  private failure: Error | null = null;
  private unlock: (() => Promise<void>) | null = null;

  constructor(private readonly options: EventJournalOptions) {
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  }

  /**
   * Creates the directory and picks up segments a previous process left, oldest first. One
   * process at a time: a journal another live process uses is refused (AppError CONFLICT).
   */
  async open(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    this.unlock = await takePidLock(join(this.options.dir, "journal.lock"), (owner) =>
      new AppError("CONFLICT", `The event journal ${this.options.dir} is in use by another process${owner > 0 ? ` (pid ${owner})` : ""}: give each ingesting process its own CELERIAC_JOURNAL_DIR.`),
    );
    const names = (await readdir(this.options.dir)).filter((name) => SEGMENT.test(name)).sort();
    for (const name of names) {
      const path = join(this.options.dir, name);
      const { size } = await stat(path);
      // The count is unknown until read; what matters for replay order and bounds is the size.
      this.closed.push({ path, events: -1, bytes: size, flushed: Promise.resolve() });
      this.bytes += size;
      this.sequence = Math.max(this.sequence, Number(SEGMENT.exec(name)![1]));
    }
  }

  /** Events waiting (segments left by a previous process count once they are read). */
  get events(): number {
    let events = this.writing?.events ?? 0;
    for (const segment of this.closed) events += Math.max(segment.events, 0);
    return events;
  }

  /** Bytes on disk. */
  get size(): number {
    return this.bytes;
  }

  get empty(): boolean {
    return this.closed.length === 0 && (this.writing?.events ?? 0) === 0;
  }

  /** Why the journal stopped taking events (a write failed), or null. */
  get error(): Error | null {
    return this.failure;
  }

  /** Appends one event; false when the journal is full or failed (the caller drops and counts it). */
  append(event: CeleryEvent): boolean {
    if (this.failure) return false;
    const line = `${JSON.stringify(event)}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.bytes + bytes > this.maxBytes) return false;
    if (!this.writing || this.writing.events >= this.options.segmentEvents) this.rotate();
    this.writing!.stream.write(line);
    this.writing!.events += 1;
    this.writing!.bytes += bytes;
    this.bytes += bytes;
    return true;
  }

  /**
   * Reads the oldest segment back and hands each event to `take`, then deletes it. The segment
   * being written is closed first when it is the only one, so a replay always has an end.
   * Resolves with the number of events replayed (0 when empty).
   */
  async replayOldest(take: (event: CeleryEvent) => void): Promise<number> {
    if (this.closed.length === 0) {
      if (!this.writing || this.writing.events === 0) return 0;
      await this.closeWriting();
    }
    const segment = this.closed[0]!;
    await segment.flushed;
    let replayed = 0;
    const lines = createInterface({ input: createReadStream(segment.path, { encoding: "utf8" }), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === "") continue;
      let event: CeleryEvent;
      try {
        event = JSON.parse(line) as CeleryEvent;
      } catch {
        // A line cut short by a crash while it was written: the events before it are whole.
        continue;
      }
      take(event);
      replayed += 1;
    }
    this.closed.shift();
    this.bytes -= segment.bytes;
    await rm(segment.path, { force: true });
    return replayed;
  }

  /** Flushes the segment being written (its events are replayed by the next process if not here). */
  async close(): Promise<void> {
    if (this.writing) await this.closeWriting();
    await this.unlock?.();
    this.unlock = null;
  }

  private rotate(): void {
    if (this.writing) this.closed.push(this.endWriting());
    this.sequence += 1;
    const path = join(this.options.dir, `events-${String(this.sequence).padStart(12, "0")}.jsonl`);
    const stream = createWriteStream(path, { flags: "a" });
    stream.on("error", (error) => (this.failure = error));
    this.writing = { path, events: 0, bytes: 0, flushed: Promise.resolve(), stream };
  }

  // Ends the segment being written; its `flushed` resolves once the stream has written everything.
  private endWriting(): Segment {
    const { stream, ...segment } = this.writing!;
    this.writing = null;
    return { ...segment, flushed: new Promise<void>((resolve) => stream.end(resolve)) };
  }

  private async closeWriting(): Promise<void> {
    const segment = this.endWriting();
    await segment.flushed;
    if (segment.events > 0) this.closed.push(segment);
    else await rm(segment.path, { force: true });
  }
}
