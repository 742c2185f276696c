// Runs `celeriac dashboard` as a child process configured by environment variables only, as an
// operator would, and waits until its health endpoint answers.

import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface DashboardProcess {
  baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Starts the dashboard with `env` (plus PATH/HOME) and `args`, in `cwd` (default: this checkout). */
export async function startDashboardProcess(env: Record<string, string>, args: string[] = [], options: { cwd?: string; command?: string[]; readyTimeoutMs?: number } = {}): Promise<DashboardProcess> {
  const port = await freePort();
  const command = options.command ?? [process.execPath, "bin/celeriac.js", "dashboard", ...args];
  const child: ChildProcess = spawn(command[0] as string, command.slice(1), {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dashboard exited with ${child.exitCode} before it was ready:\n${log}`);
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`dashboard did not answer /api/health within the deadline:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    baseUrl,
    output: () => log,
    async stop() {
      if (child.exitCode !== null) return;
      // The whole process group: `npm start` runs node under npm.
      process.kill(-(child.pid as number), "SIGTERM");
      const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
