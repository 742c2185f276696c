// A task body for tests of revoke/terminate: sleeps `seconds`, and ends with the abort reason as
// soon as the worker aborts the running task's signal.

import { currentTask } from "../../src/celery/index";

export function abortableSleep(seconds: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const { signal } = currentTask();
    const timer = setTimeout(resolve, seconds * 1000);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    });
  });
}
