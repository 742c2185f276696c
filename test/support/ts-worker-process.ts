// Our worker as an operator runs it: `celeriac worker -A test/celery/worker/fixtures/cli-app.ts`
// in a child process, on the given broker with results in Redis.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { REDIS_URL } from "./services";
import { type WorkerProcess, workerProcess } from "./worker-process";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURE = "test/celery/worker/fixtures/cli-app.ts";

export type TsWorker = WorkerProcess;

/** Starts it (-c 8 -E unless `extraArgs` say otherwise) and resolves once it is ready. */
export function startTsWorker(brokerUrl: string, queue: string, hostname: string, extraArgs: string[] = []): Promise<TsWorker> {
  const child = spawn(process.execPath, ["bin/celeriac.js", "worker", "-A", FIXTURE, "-Q", queue, "-n", hostname, "-c", "8", "-E", "-l", "warning", ...extraArgs], {
    cwd: ROOT,
    env: { ...process.env, CELERIAC_TEST_BROKER: brokerUrl, CELERIAC_TEST_BACKEND: REDIS_URL, CELERIAC_TEST_QUEUE: queue, CELERIAC_TEST_VISIBILITY_TIMEOUT: "8" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return workerProcess(child, "celeriac worker", 20_000);
}
