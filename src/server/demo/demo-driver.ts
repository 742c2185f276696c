// Keeps the demo cluster busy: launches login workflows, chords, groups and retrying tasks at a
// steady pace so the overview has charts and the workflow pages have trees within a minute.

import { chain, chord, group } from "../../celery/index";
import type { DemoTasks } from "./demo-tasks";

export interface DemoDriverOptions {
  /** Milliseconds between rounds. Default 3000. */
  intervalMs?: number;
  onError?: (error: Error) => void;
}

/** One round of demo work; returns the ids of what it launched. */
export async function launchDemoRound(tasks: DemoTasks, round: number): Promise<string[]> {
  const user = `u${(round % 7) + 1}`;
  const login = await chain(
    tasks.checkDevice.s(user, round % 3 === 0 ? "pixel-9-new" : "pixel-9"),
    group(tasks.notifyUser.s(), tasks.saveEvent.s()),
    tasks.postToApi.s(),
    tasks.postProcess.s(),
  ).applyAsync();
  const sums = await chord(
    Array.from({ length: 3 + (round % 4) }, (_, i) => tasks.add.s(i, round)),
    tasks.tsum.s(),
  ).applyAsync();
  // A workflow that always completes: a chain into a chord (the login workflow waits for the
  // operator to fix its API).
  const pipeline = await chain(tasks.add.s(round, 1), group(tasks.add.s(10), tasks.add.s(20)), tasks.tsum.s()).applyAsync();
  const launched = [login.id, sums.id, pipeline.id];
  if (round % 2 === 0) launched.push((await tasks.flaky.delay()).id);
  if (round % 5 === 0) launched.push((await tasks.slow.delay(4)).id);
  return launched;
}

/** Starts launching rounds; call the returned function to stop. */
export function startDemoDriver(tasks: DemoTasks, options: DemoDriverOptions = {}): () => void {
  let round = 0;
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    try {
      await launchDemoRound(tasks, round++);
    } catch (error) {
      options.onError?.(error as Error);
    }
    if (!stopped) timer = setTimeout(tick, options.intervalMs ?? 3000);
  };
  let timer = setTimeout(tick, 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
