// The `celeriac` command line (commander): the worker, the dashboard and ingestion, and the
// cluster tools mirroring `celery call/result/inspect/control/events`, plus store administration.
// Commands that need the store or Next.js import them only when they run, so `--help` and the
// broker commands start without loading them.

import { Command, Option } from "commander";
import { failAndExit } from "./command-exit";
import { addAlertsCommand } from "./commands/alerts-command";
import { addCallCommand } from "./commands/call-command";
import { addControlCommand } from "./commands/control-command";
import { addEventsCommand } from "./commands/events-command";
import { addInspectCommand } from "./commands/inspect-command";
import { addRelaunchCommand } from "./commands/relaunch-command";
import { addResultCommand } from "./commands/result-command";
import { addRetryCommand } from "./commands/retry-command";
import { addUsersCommand } from "./commands/users-command";
import { addWorkerCommand } from "./commands/worker-command";
import { positiveInteger } from "./option-parsers";

function addServerCommands(program: Command): void {
  program
    .command("dashboard")
    .description("Start the dashboard (and, unless CELERIAC_INGEST=external, the ingestion); configured by CELERY_BROKER_URL, CELERY_RESULT_BACKEND, DATABASE_URL")
    .addOption(new Option("-p, --port <port>", "port to listen on (default: PORT or 3000)").argParser(positiveInteger))
    .option("--host <host>", "address to listen on (default: HOST or 127.0.0.1)")
    .option("--dev", "Next.js development mode (no build needed, slower pages)", false)
    .option("--no-pages", "serve the API, health and metrics only")
    .action(async (flags: { port?: number; host?: string; dev: boolean; pages: boolean }) => {
      const { serveDashboard } = await import("./commands/serve-dashboard");
      await serveDashboard(flags);
    });
  program
    .command("ingest")
    .description("Follow the cluster's events and capture records into the store (CELERY_BROKER_URL, CELERY_RESULT_BACKEND, DATABASE_URL)")
    .addOption(new Option("--stats-every <seconds>", "print progress this often").argParser(positiveInteger).default(10))
    .option("--json", "progress as JSON lines", false)
    .action(async (flags: { statsEvery: number; json: boolean }) => {
      const { runIngest } = await import("./commands/run-ingest");
      await runIngest({ statsEverySeconds: flags.statsEvery, json: flags.json });
    });
}

/** The whole command tree, for `main` and for tests that read every command's help. */
export function buildProgram(): Command {
  const program = new Command("celeriac")
    .description("Celery-compatible tools for TypeScript: run workers, send and follow tasks, control the cluster, serve the dashboard")
    .addHelpText("after", "\nConfiguration comes from the environment, as the dashboard's: CELERY_BROKER_URL, CELERY_RESULT_BACKEND, DATABASE_URL.\nExit codes: 0 ok, 1 failed, 2 bad usage, 69 no worker replied, 78 bad configuration.")
    // Usage errors surface as CommanderError (exit code 2, as Celery's click CLI), not process.exit(1).
    .exitOverride()
    .showHelpAfterError("(add --help for usage)");
  addWorkerCommand(program);
  addServerCommands(program);
  addCallCommand(program);
  addResultCommand(program);
  addInspectCommand(program);
  addControlCommand(program);
  addEventsCommand(program);
  addRetryCommand(program);
  addRelaunchCommand(program);
  addUsersCommand(program);
  addAlertsCommand(program);
  return program;
}

/** Parses argv and runs the command; failures print one line and exit non-zero (see EXIT). */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  // `celeriac inspect stats | head`: a reader that went away is not a failure of ours.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    failAndExit(error);
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    failAndExit(error);
  }
}
