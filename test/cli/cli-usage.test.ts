// The CLI without any service: every command has useful help, and bad input or configuration
// ends with a one-line error naming what was wrong and the documented exit code. Last, on a
// pseudo-terminal (with Redis as the backend): the spinner and colours people see.

import type { Command } from "commander";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/celeriac";
import { REDIS_URL, describeWith } from "../support/services";
import { runCli } from "./run-cli";

function allCommands(command: Command, path: string[] = []): [string[], Command][] {
  return command.commands.flatMap((sub) => [[[...path, sub.name()], sub] as [string[], Command], ...allCommands(sub, [...path, sub.name()])]);
}

describe("celeriac usage", () => {
  it("gives every command and subcommand a description and a help text listing its options", () => {
    const commands = allCommands(buildProgram());
    expect(commands.map(([path]) => path.join(" "))).toEqual(
      expect.arrayContaining(["call", "result", "inspect ping", "inspect query_task", "control revoke", "control terminate", "control shutdown", "events", "retry", "relaunch", "users add", "users list", "worker", "dashboard", "ingest"]),
    );
    for (const [path, command] of commands) {
      expect(command.description().length, `celeriac ${path.join(" ")} has no description`).toBeGreaterThan(20);
      const help = command.helpInformation();
      expect(help).toContain(`Usage: celeriac ${path.join(" ")}`);
      expect(help).toContain("-h, --help");
    }
  });

  it("prints help and exits 0 for --help on the real binary", async () => {
    const runs = await Promise.all([[], ["call"], ["result"], ["inspect", "ping"], ["control", "revoke"], ["events"], ["users", "add"], ["retry"], ["relaunch"]].map((path) => runCli([...path, "--help"])));
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^Usage: celeriac/);
    }
    expect(runs[0]!.stdout).toContain("Exit codes: 0 ok, 1 failed, 2 bad usage, 69 no worker replied, 78 bad configuration.");
    expect(runs[1]!.stdout).toContain("-a, --args <json>");
    expect(runs[4]!.stdout).toContain("--terminate");
    expect(runs[8]!.stdout).toContain("--failed-only");
  });

  it("rejects bad JSON in --args naming the flag and where it failed, with exit 2", async () => {
    const env = { CELERY_BROKER_URL: "redis://127.0.0.1:6379/0" };
    const [badArgs, notObject, empty] = await Promise.all([
      runCli(["call", "proj.add", "--args", "[1,}"], { env }),
      runCli(["call", "proj.add", "--kwargs", "[1]"], { env }),
      runCli(["call", "proj.add", "--args", "{'x': 1}"], { env }),
    ]);
    expect(badArgs.code).toBe(2);
    expect(badArgs.stderr).toContain("option '-a, --args <json>' argument '[1,}' is invalid. Not valid JSON at character 4 (\"[1,\" ▸ \"}\")");
    expect(badArgs.stdout).toBe("");
    expect(notObject.code).toBe(2);
    expect(notObject.stderr).toContain("--kwargs <json>");
    expect(notObject.stderr).toContain("Must be a JSON object of keyword arguments");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("Not valid JSON at character 2");
  });

  it("rejects bad flag values and contradictory flags with exit 2", async () => {
    const env = { CELERY_BROKER_URL: "redis://127.0.0.1:6379/0" };
    const [countdown, both, role, shutdown, signal] = await Promise.all([
      runCli(["call", "proj.add", "--countdown", "soon"], { env }),
      runCli(["call", "proj.add", "--countdown", "5", "--eta", "2030-01-01T00:00:00Z"], { env }),
      runCli(["users", "add", "alice", "--role", "root"]),
      runCli(["control", "shutdown"], { env }),
      runCli(["control", "revoke", "some-id", "--terminate", "--signal", "SIGNOPE"], { env }),
    ]);
    expect(countdown.code).toBe(2);
    expect(countdown.stderr).toContain("--countdown <s>' argument 'soon' is invalid. Must be a number of seconds");
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toBe("Error: Give --countdown or --eta, not both: they both set when the task may run.");
    expect(role.code).toBe(2);
    expect(role.stderr).toContain("Allowed choices are viewer, operator, admin");
    expect(shutdown.code).toBe(2);
    expect(shutdown.stderr).toContain("name them with --destination node1,node2, or pass --all");
    expect(signal.code).toBe(2);
    expect(signal.stderr).toContain("Not a signal name");
  });

  it("says which setting is missing or wrong, with exit 78, and exit 1 when the broker is unreachable", async () => {
    const [unset, memory, scheme, noBackend, unreachable, memoryStore] = await Promise.all([
      runCli(["inspect", "ping"]),
      runCli(["call", "proj.add"], { env: { CELERY_BROKER_URL: "memory://" } }),
      runCli(["inspect", "ping", "--broker", "http://127.0.0.1:6379"]),
      runCli(["result", "some-id"], { env: { CELERY_BROKER_URL: "redis://127.0.0.1:6379/0" } }),
      runCli(["inspect", "ping", "-b", "redis://127.0.0.1:1/0"]),
      runCli(["users", "list"], { env: { DATABASE_URL: "memory:" } }),
    ]);
    expect(unset.code).toBe(78);
    expect(unset.stderr.trim()).toBe("Error: No broker configured: set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) or pass -b/--broker.");
    expect(memory.code).toBe(78);
    expect(memory.stderr).toContain("memory://, which lives inside one process and cannot be reached from the CLI");
    expect(scheme.code).toBe(78);
    expect(scheme.stderr).toContain("CELERY_BROKER_URL: http://127.0.0.1:6379 is not supported");
    expect(noBackend.code).toBe(78);
    expect(noBackend.stderr.trim()).toBe("Error: No result backend configured: set CELERY_RESULT_BACKEND (e.g. redis://127.0.0.1:6379/0) or pass --backend.");
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^Error: Could not connect to the Redis broker at redis:\/\/127\.0\.0\.1:1\/0/);
    expect(memoryStore.code).toBe(78);
    expect(memoryStore.stderr).toContain("Error: DATABASE_URL is memory:, a store that lives inside one process");
    for (const run of [unset, memory, noBackend, unreachable, memoryStore]) expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });
});

await describeWith(["redis"], "celeriac on a terminal", () => {
  it("result --wait shows a spinner with the elapsed time on a TTY, then says the task is still PENDING (exit 1)", async () => {
    const id = randomUUID();
    const bin = fileURLToPath(new URL("../../bin/celeriac.js", import.meta.url));
    // script(1) runs the command on a pseudo-terminal, so stdout and stderr are TTYs.
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile("script", ["-qec", `${process.execPath} ${bin} result ${id} --wait 1.5`, "/dev/null"], { env: { ...process.env, CELERY_RESULT_BACKEND: REDIS_URL }, timeout: 60_000 }, (error, stdout) =>
        resolve({ code: error ? Number((error as { code?: number }).code) : 0, output: stdout }),
      );
    });
    expect(code).toBe(1);
    expect(output).toMatch(new RegExp(`[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] waiting for task ${id} \\(\\d s\\)`));
    // The spinner line is cleared before the document is printed, in colour on the terminal.
    expect(output).toContain("\r\x1b[2K");
    expect(output).toContain("\x1b[90mPENDING\x1b[0m");
    expect(output).toContain(`Error: Task ${id} is still PENDING after 1.5 s: check that a worker consumes its queue`);
  }, 60_000);
});
