// The event journal: events come back in the order they went in, a segment at a time; its byte
// bound refuses more; what one process left on disk the next one replays.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import type { CeleryEvent } from "../../../src/celery/index";
import { EventJournal } from "../../../src/server/ingest/event-journal";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const event = (i: number) => ({ type: "task-started", uuid: `t${i}`, hostname: "celery@w1", timestamp: 1_700_000_000 + i, clock: i }) as unknown as CeleryEvent;

async function drain(journal: EventJournal): Promise<string[]> {
  const seen: string[] = [];
  while (!journal.empty) await journal.replayOldest((replayed) => seen.push((replayed as unknown as { uuid: string }).uuid));
  return seen;
}

it("gives events back in order, one segment per replay, and deletes what it replayed", async () => {
  dir = mkdtempSync(join(tmpdir(), "celeriac-journal-"));
  const journal = new EventJournal({ dir, segmentEvents: 3 });
  await journal.open();
  for (let i = 0; i < 8; i++) expect(journal.append(event(i))).toBe(true);
  expect(journal.events).toBe(8);
  const first: string[] = [];
  expect(await journal.replayOldest((replayed) => first.push((replayed as unknown as { uuid: string }).uuid))).toBe(3);
  expect(first).toEqual(["t0", "t1", "t2"]);
  for (let i = 8; i < 10; i++) journal.append(event(i));
  expect(await drain(journal)).toEqual(["t3", "t4", "t5", "t6", "t7", "t8", "t9"]);
  expect(journal.size).toBe(0);
  await journal.close();
  expect(readdirSync(dir)).toEqual([]);
});

it("refuses events past its byte bound", async () => {
  dir = mkdtempSync(join(tmpdir(), "celeriac-journal-"));
  const journal = new EventJournal({ dir, segmentEvents: 100, maxBytes: 400 });
  await journal.open();
  const taken = Array.from({ length: 10 }, (_, i) => journal.append(event(i)));
  expect(taken.filter(Boolean).length).toBeGreaterThan(0);
  expect(taken.at(-1)).toBe(false);
  expect(journal.size).toBeLessThanOrEqual(400);
});

it("replays what a previous process left, skipping a last line cut short by a crash", async () => {
  dir = mkdtempSync(join(tmpdir(), "celeriac-journal-"));
  const before = new EventJournal({ dir, segmentEvents: 2 });
  await before.open();
  for (let i = 0; i < 5; i++) before.append(event(i));
  await before.close();
  writeFileSync(join(dir, "events-000000000009.jsonl"), `${JSON.stringify(event(5))}\n{"type":"task-sta`);

  const after = new EventJournal({ dir, segmentEvents: 2 });
  await after.open();
  expect(after.empty).toBe(false);
  after.append(event(6));
  expect(await drain(after)).toEqual(["t0", "t1", "t2", "t3", "t4", "t5", "t6"]);
});

it("is used by one process at a time: a second opener is told who holds it", async () => {
  dir = mkdtempSync(join(tmpdir(), "celeriac-journal-"));
  const first = new EventJournal({ dir, segmentEvents: 2 });
  await first.open();
  await expect(new EventJournal({ dir, segmentEvents: 2 }).open()).rejects.toThrow(`The event journal ${dir} is in use by another process (pid ${process.pid})`);
  await first.close();
  const next = new EventJournal({ dir, segmentEvents: 2 });
  await next.open();
  await next.close();
});
