// A worker run as a child process (Python's `celery worker`, our `celeriac worker`): collects its
// output, resolves once it prints " ready.", and stops it with SIGTERM (SIGKILL after 10 s).

import type { ChildProcess } from "node:child_process";

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the worker printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Waits for the child's " ready." line; rejects, with its output, if it exits or takes longer than `timeoutMs`. */
export async function workerProcess(child: ChildProcess, what: string, timeoutMs: number): Promise<WorkerProcess> {
  let log = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not become ready in ${timeoutMs / 1000} s:\n${log}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes(" ready.")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready:\n${log}`));
    });
  });
  return {
    child,
    output: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
