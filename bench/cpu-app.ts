// The app of bench/cpu-tasks.ts: one CPU-bound task. The threads pool's threads import this module
// too, so it must define the task at load time.

import { Celery, createBackend, createBroker } from "../src/celery/index";

const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/0";
export const app = new Celery({ broker: createBroker(url), backend: createBackend(url) });

/** Holds the CPU for `ms` milliseconds, as the Python peer's seedflow.spin does. */
app.task("seedflow.spin", (ms: number) => {
  const until = performance.now() + ms;
  let turns = 0;
  while (performance.now() < until) turns++;
  return turns > 0;
});
