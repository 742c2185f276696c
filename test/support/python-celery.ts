// Runs the Python Celery peer (test/python/peer.py) for interop tests: a real worker, and
// one-off Python snippets that produce or read results the way a Python app would.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PYTHON } from "./services";
import { workerProcess } from "./worker-process";

const PEER_DIR = fileURLToPath(new URL("../python/", import.meta.url));

export interface PeerConfig {
  brokerUrl: string;
  backendUrl: string;
  queue: string;
  /** The module `celery -A` loads for a worker (in test/python/); default "peer". */
  appModule?: string;
}

function peerEnv(config: PeerConfig): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PYTHONPATH: PEER_DIR,
    PYTHONUNBUFFERED: "1",
    PEER_BROKER_URL: config.brokerUrl,
    PEER_RESULT_BACKEND: config.backendUrl,
    PEER_QUEUE: config.queue,
  };
}

export interface PythonWorker {
  readonly hostname: string;
  /** Everything the worker printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `celery -A peer worker` on the queue and resolves once it reports ready. */
export async function startPythonWorker(config: PeerConfig, extraArgs: string[] = []): Promise<PythonWorker> {
  const hostname = `peer-${config.queue}@localhost`;
  const child: ChildProcess = spawn(
    PYTHON,
    ["-m", "celery", "-A", config.appModule ?? "peer", "worker", "-Q", config.queue, "-n", hostname, "-c", "2", "-E", "--without-mingle", "--without-gossip", "-l", "INFO", ...extraArgs],
    { cwd: PEER_DIR, env: peerEnv(config), stdio: ["ignore", "pipe", "pipe"] },
  );
  const worker = await workerProcess(child, "Python worker", 30_000);
  return { hostname, output: worker.output, stop: worker.stop };
}

/**
 * Runs a Python snippet with the peer app imported as `peer` (and `app`), and returns what it
 * printed as JSON on its last line.
 */
export function runPython<T = unknown>(config: PeerConfig, code: string, timeoutMs = 30_000): Promise<T> {
  const script = `import json, sys\nfrom peer import *\nimport peer\n${code}`;
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ["-c", script], { cwd: PEER_DIR, env: peerEnv(config), timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`Python snippet failed: ${error.message}\n${stderr}`));
        return;
      }
      const last = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`Python snippet printed no JSON on its last line:\n${stdout}\n${stderr}`));
      }
    });
  });
}
