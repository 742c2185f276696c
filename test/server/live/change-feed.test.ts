// The store watcher behind live push: one read per interval whatever the number of listeners,
// each change told to every listener (a new listener hears the current marks at once), nothing
// read while nobody listens, and no second loop when listeners come and go during a read.

import { expect, it } from "vitest";
import { ChangeFeed } from "../../../src/server/live/change-feed";
import type { ChangeMark } from "../../../src/server/store/index";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(10);
  }
}
const mark = (tasks: string): ChangeMark => ({ tasks, workers: "", queues: "", audit: "", quarantine: "", counters: "" });

it("reads once per interval for any number of listeners and tells each change to all of them", async () => {
  let tasks = "t1";
  const feed = new ChangeFeed({ read: async () => mark(tasks), intervalMs: 50 });
  const heard: string[][] = [[], [], []];
  const started = Date.now();
  const stops = heard.map((list) => feed.subscribe((m) => list.push(m.tasks)));
  await until(() => heard.every((list) => list.length === 1));
  tasks = "t2";
  await until(() => heard.every((list) => list.length === 2));
  const late: string[] = [];
  stops.push(feed.subscribe((m) => late.push(m.tasks)));
  expect(heard).toEqual([["t1", "t2"], ["t1", "t2"], ["t1", "t2"]]);
  expect(late).toEqual(["t2"]);
  // One read per interval, not one per listener and interval.
  expect(feed.reads).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 50) + 1);
  for (const stop of stops) stop();
  const reads = feed.reads;
  await sleep(150);
  expect(feed.reads - reads).toBeLessThanOrEqual(1);
  feed.close();
});

it("keeps one loop when the last listener leaves and a new one comes during a read", async () => {
  let release!: () => void;
  let slow = true;
  const feed = new ChangeFeed({
    read: async () => {
      if (slow) await new Promise<void>((resolve) => (release = resolve));
      return mark("t");
    },
    intervalMs: 40,
  });
  const stop = feed.subscribe(() => {});
  await sleep(10);
  stop();
  feed.subscribe(() => {});
  slow = false;
  release();
  const reads = feed.reads;
  await sleep(400);
  // One loop: about ten reads in 400 ms at 40 ms; two loops would make about twenty.
  expect(feed.reads - reads).toBeLessThanOrEqual(12);
  feed.close();
});
