// How a command ends: short commands exit as soon as their work is done (a stray reconnect
// timer or socket must not keep a script waiting), and every failure becomes one line on stderr
// and an exit code from EXIT.

import { CommanderError } from "commander";
import { CeleryError } from "../celery/index";
import { AppError } from "../server/app-error";
import { ConfigError } from "../server/config/server-config";
import { CliError, EXIT, type ExitCode } from "./cli-error";

/** Wraps a command action so the process exits with its code (0 when it returns nothing) once it resolves. */
export function exitWhenDone<A extends unknown[]>(action: (...args: A) => Promise<ExitCode | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const code = await action(...args);
    process.exit(code ?? EXIT.OK);
  };
}

function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof ConfigError) return EXIT.CONFIG;
  if (error instanceof AppError && error.code === "BAD_INPUT") return EXIT.USAGE;
  if (error instanceof CeleryError && error.code === "IMPROPERLY_CONFIGURED") return EXIT.CONFIG;
  return EXIT.FAILURE;
}

/**
 * Reports `error` and exits. Commander has already printed its own usage errors (and help);
 * everything else is printed as `Error: <message>`, with the stack only under CELERIAC_DEBUG=1.
 */
export function failAndExit(error: unknown): never {
  if (error instanceof CommanderError) {
    // Help and --version end with code 0; a usage error has been printed by commander.
    process.exit(error.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
  }
  const message = error instanceof Error ? error.message : String(error);
  // ConfigError lists one variable per line: keep them, indented under the first line.
  process.stderr.write(`Error: ${message.trim()}\n`);
  if (process.env.CELERIAC_DEBUG === "1" && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(exitCodeOf(error));
}
