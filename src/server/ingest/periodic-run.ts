// The loop shared by the reconciler, the queue sampler and the worker inspector: run now, then
// again `intervalMs` after each run ends (never two at once), until stopped; stop() waits for a
// run in progress.

import { z } from "zod";
import { AppError, reasonOf } from "../app-error";

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

export interface PeriodicSampling<T> {
  /** For the interval's error message. */
  name: string;
  intervalMs: number;
  /** One sample; a rejection (an AppError saying what failed) is reported and nothing is written. */
  sample: () => Promise<T[]>;
  /** Writes a non-empty sample; a rejection is reported through `refused`. */
  write: (items: T[]) => Promise<void>;
  /** The message for a sample the store refused, given its size and the store's reason. */
  refused: (count: number, reason: string) => string;
  onError?: (error: AppError) => void;
}

/** A periodic run that samples something of the cluster and writes it to the store, reporting either failure and going on. */
export function startPeriodicSampling<T>(sampling: PeriodicSampling<T>): PeriodicRun {
  return startPeriodicRun(sampling.name, sampling.intervalMs, async () => {
    let items: T[];
    try {
      items = await sampling.sample();
    } catch (error) {
      sampling.onError?.(error instanceof AppError ? error : new AppError("UNAVAILABLE", `${sampling.name}: ${reasonOf(error)}`));
      return;
    }
    if (items.length === 0) return;
    try {
      await sampling.write(items);
    } catch (error) {
      sampling.onError?.(new AppError("UNAVAILABLE", sampling.refused(items.length, reasonOf(error))));
    }
  });
}
