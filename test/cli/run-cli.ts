// Runs the real `celeriac` command (node bin/celeriac.js) as a subprocess for the CLI tests:
// to completion with its exit code and output, or in the background (events, long waits).

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/celeriac.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Variables on top of a clean environment (without the caller's CELERY_..., CELERIAC_... and DATABASE_URL). */
  env?: Record<string, string>;
  /** Written to stdin, which is then closed. */
  input?: string;
  timeoutMs?: number;
}

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (/^(CELERY_|CELERIAC_|DATABASE_URL$|FORCE_COLOR$|NO_COLOR$)/.test(key)) delete env[key];
  return Object.assign(env, extra);
}

function spawnCli(args: string[], options: CliOptions): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(options.env), stdio: ["pipe", "pipe", "pipe"] });
}

/** A background `celeriac` process: read its output as it comes, then stop it. */
export interface RunningCli {
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout+stderr match `pattern`; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends `signal` (SIGINT: Ctrl-C) and resolves with the finished run. */
  stop(signal?: NodeJS.Signals): Promise<CliRun>;
  /** The finished run, once it exits by itself. */
  exited: Promise<CliRun>;
}

export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const child = spawnCli(args, options);
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((listener) => listener());
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    changed();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    changed();
  });
  if (options.input !== undefined) child.stdin!.end(options.input);
  else child.stdin!.end();
  const exited = new Promise<CliRun>((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  void exited.then(() => clearTimeout(timer));
  let done = false;
  void exited.then(() => {
    done = true;
    changed();
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(stdout + stderr)) finish(null);
          else if (done) finish(new Error(`celeriac ${args.join(" ")} exited before printing ${pattern}:\n${stdout}\n${stderr}`));
        };
        const deadline = setTimeout(() => finish(new Error(`celeriac ${args.join(" ")} did not print ${pattern} in ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
        const finish = (error: Error | null) => {
          clearTimeout(deadline);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal = "SIGINT") {
      if (!done) child.kill(signal);
      return exited;
    },
  };
}

/** Runs `celeriac <args>` to completion. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).exited;
}
