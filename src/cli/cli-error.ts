// The CLI's failure type and exit codes. Codes follow Celery's CLI (click usage errors exit 2,
// "no nodes replied" exits EX_UNAVAILABLE 69) so scripts written for `celery` read ours alike.

/** Process exit codes of every `celeriac` command. */
export const EXIT = {
  OK: 0,
  /** The operation ran and failed: a task failed or was revoked, a wait timed out, a service refused. */
  FAILURE: 1,
  /** Bad flags, arguments or input (bad JSON, unknown role): fix the command line. */
  USAGE: 2,
  /** Nobody answered a remote-control call (sysexits EX_UNAVAILABLE, as `celery inspect`). */
  UNAVAILABLE: 69,
  /** The environment's configuration is invalid (sysexits EX_CONFIG). */
  CONFIG: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * A failure the CLI reports as one line, `Error: <message>`, before exiting with `exitCode`.
 * The message says what was wrong and what to do about it.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.FAILURE,
  ) {
    super(message);
  }
}
