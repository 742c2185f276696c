// What a benchmark reads of a process under test from /proc, and the RabbitMQ vhost the flood
// benchmarks share, so that no test's or worker's events reach them and theirs reach no one.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** CPU seconds the process has used (user + system). */
export function cpuSeconds(pid: number): number {
  // Fields 14 and 15 of /proc/<pid>/stat, after the parenthesised command name: user and system ticks.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident memory, MB. */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** The pid listening on a local TCP port (a dashboard runs under its launcher's process group). */
export function listeningPid(port: string | number): number {
  const out = execFileSync("ss", ["-Hltnp", `sport = :${port}`], { encoding: "utf8" });
  const match = /pid=(\d+)/.exec(out);
  if (!match) throw new Error(`nothing listens on port ${port}`);
  return Number(match[1]);
}

export const BENCH_VHOST = "celeriac-bench";
export const BENCH_AMQP_URL = `amqp://guest:guest@127.0.0.1:5672/${BENCH_VHOST}`;

/** Creates the benchmarks' vhost (rabbitmqctl, as root) when missing. */
export function ensureBenchVhost(): void {
  try {
    execFileSync("rabbitmqctl", ["add_vhost", BENCH_VHOST], { stdio: "ignore" });
  } catch {
    // already there
  }
  execFileSync("rabbitmqctl", ["set_permissions", "-p", BENCH_VHOST, "guest", ".*", ".*", ".*"], { stdio: "ignore" });
}
