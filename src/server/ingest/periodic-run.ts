// The loop shared by the reconciler and the queue sampler: run now, then again `intervalMs` after
// each run ends (never two at once), until stopped; stop() waits for a run in progress.

import { z } from "zod";
import { AppError } from "../app-error";

export interface PeriodicRun {
  stop(): Promise<void>;
}

/** `run` reports its own failures; a rejection is swallowed so the loop goes on. */
export function startPeriodicRun(name: string, intervalMs: number, run: () => Promise<void>): PeriodicRun {
  const interval = z.number().int().positive().safeParse(intervalMs);
  if (!interval.success) throw new AppError("BAD_INPUT", `${name}: intervalMs must be a positive whole number of milliseconds, got ${String(intervalMs)}.`);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    current = run()
      .catch(() => undefined)
      .then(() => {
        if (!stopped) timer = setTimeout(tick, interval.data);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
