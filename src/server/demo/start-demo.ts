// The embedded demo cluster: the demo tasks on this process's own app, an in-process TypeScript
// worker with events on, and a driver launching workflows — only ever on the in-memory broker,
// so a configured real cluster never sees demo traffic.

import type { Celery, Worker } from "../../celery/index";
import type { Logger } from "../runtime/logger";
import { startDemoDriver } from "./demo-driver";
import { type DemoSwitches, registerDemoTasks } from "./demo-tasks";

export interface Demo {
  /** Flipped from the demo page: the "fix" for the failing post_to_api step. */
  switches: DemoSwitches;
  worker: Worker;
  stop(): Promise<void>;
}

export interface StartDemoOptions {
  app: Celery;
  log: Logger;
  /** Milliseconds between demo rounds. */
  intervalMs?: number;
}

/** Starts the demo on `app`, whose broker must be the in-memory one. */
export async function startDemo({ app, log, intervalMs }: StartDemoOptions): Promise<Demo> {
  if (app.broker.driverType !== "memory") throw new Error(`The demo runs on the in-memory broker only; this app uses ${app.broker.displayUrl}.`);
  const switches: DemoSwitches = { apiFixed: false };
  const tasks = registerDemoTasks(app, switches);
  // Demo tasks fail on purpose: their failures are in the history, not worth an error line each.
  const logger = { info: () => {}, warn: (m: string) => log.warn(m), error: (m: string) => (m.includes(" raised unexpected: ") ? undefined : log.error(m)) };
  const worker = app.worker({ hostname: "celery@celeriac-demo", concurrency: 8, sendEvents: true, logger });
  await worker.start();
  const stopDriver = startDemoDriver(tasks, { onError: (error) => log.warn(`demo round failed: ${error.message}`), ...(intervalMs ? { intervalMs } : {}) });
  log.info("demo cluster running: login workflows, chords and retries on the in-memory broker");
  return {
    switches,
    worker,
    async stop() {
      stopDriver();
      await worker.stop();
    },
  };
}
