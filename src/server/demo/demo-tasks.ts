// The demo cluster's tasks: the seed talk's login workflow plus chord, retry and slow tasks, with
// the same names as the Python peer (test/python/peer.py) so demo workflows look like real ones.

import { type Celery, currentTask } from "../../celery/index";

/** The third-party API the login workflow posts to: down until an operator "fixes" it. */
export interface DemoSwitches {
  apiFixed: boolean;
}

/** Raised by post_to_api while the demo API is down; its name shows up as Celery's exc_type. */
export class ApiUnavailableError extends Error {
  override readonly name = "ApiUnavailableError";
}

/** Raised by flaky until its third attempt, to show retries with backoff. */
export class FlakyError extends Error {
  override readonly name = "FlakyError";
}

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    });
  });

/** Registers the demo implementations on `app`; `switches` is read at run time. */
export function registerDemoTasks(app: Celery, switches: DemoSwitches) {
  return {
    checkDevice: app.task("seedflow.check_device", async (userId: string, device: string) => {
      await pause(50);
      return { user_id: userId, device, new: device.endsWith("-new") || Math.random() < 0.5 };
    }),
    notifyUser: app.task("seedflow.notify_user", async (info: { user_id: string }) => {
      await pause(80);
      return { notified: info.user_id };
    }),
    saveEvent: app.task("seedflow.save_event", async (info: { device: string }) => {
      await pause(30);
      return { saved: info.device };
    }),
    postToApi: app.task("seedflow.post_to_api", async (results: unknown[]) => {
      await pause(60);
      if (!switches.apiFixed) throw new ApiUnavailableError("third-party API answered 503 Service Unavailable (fix it on the demo page)");
      return { score: results.length };
    }),
    postProcess: app.task("seedflow.post_process", async (response: Record<string, unknown>) => ({ done: true, ...response })),
    add: app.task("seedflow.add", (x: number, y: number) => x + y),
    tsum: app.task("seedflow.tsum", (values: number[]) => values.reduce((sum, value) => sum + value, 0)),
    flaky: app.task(
      "seedflow.flaky",
      () => {
        if (currentTask().request.retries < 2) throw new FlakyError(`attempt ${currentTask().request.retries + 1} failed`);
        return "third time lucky";
      },
      { autoretryFor: [FlakyError], retryBackoff: 1, retryJitter: false, maxRetries: 4 },
    ),
    slow: app.task("seedflow.slow", async (seconds: number) => {
      await pause(seconds * 1000, currentTask().signal);
      return seconds;
    }),
  };
}

export type DemoTasks = ReturnType<typeof registerDemoTasks>;
