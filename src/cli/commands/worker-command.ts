// `celeriac worker`: runs the app's TypeScript tasks; mirrors `celery worker` (celery/bin/worker.py).

import { hostname as osHostname } from "node:os";
import { type Command, Option } from "commander";
import type { WorkerLogger } from "../../celery/index";
import { loadApp } from "../load-app";
import { positiveInteger } from "../option-parsers";

const LEVELS = ["debug", "info", "warning", "error", "critical"] as const;
type Level = (typeof LEVELS)[number];

function logger(level: Level): WorkerLogger {
  const rank = LEVELS.indexOf(level);
  const stamp = (name: string, message: string) => `[${new Date().toISOString()}: ${name}] ${message}`;
  return {
    info: (message) => rank <= 1 && console.log(stamp("INFO", message)),
    warn: (message) => rank <= 2 && console.warn(stamp("WARNING", message)),
    error: (message) => rank <= 3 && console.error(stamp("ERROR", message)),
  };
}

interface WorkerFlags {
  app: string;
  queues?: string;
  concurrency: number;
  prefetchMultiplier: number;
  broker?: string;
  backend?: string;
  events: boolean;
  hostname?: string;
  loglevel: Level;
  acksLate: boolean;
  pool: "async" | "threads";
}

async function runWorker(flags: WorkerFlags): Promise<void> {
  const log = logger(flags.loglevel);
  const app = await loadApp(flags.app, { broker: flags.broker, backend: flags.backend });
  const hostname = (flags.hostname ?? "celery@%h").replaceAll("%h", osHostname()).replaceAll("%n", osHostname().split(".")[0] ?? "");
  const worker = app.worker({
    queues: flags.queues?.split(",").map((queue) => queue.trim()).filter(Boolean),
    concurrency: flags.concurrency,
    prefetchMultiplier: flags.prefetchMultiplier,
    hostname,
    sendEvents: flags.events,
    acksLate: flags.acksLate,
    pool: flags.pool,
    // Each thread imports the app module itself, with the TypeScript loader this CLI runs under.
    threads: flags.pool === "threads" ? { module: flags.app, preload: [import.meta.resolve("tsx/esm/api")] } : undefined,
    logger: log,
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      log.warn(`${signal}: warm shutdown (finishing running tasks; send again for cold shutdown)`);
      void worker.stop().then(() => app.close()).then(() => process.exit(0));
    } else {
      log.warn(`${signal}: cold shutdown (unacknowledged messages go back to the broker)`);
      void worker.stop({ cold: true }).then(() => app.close()).finally(() => process.exit(1));
    }
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  await worker.start();
  console.log(`${hostname} ready.`);
}

/** Registers `celeriac worker`. */
export function addWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description("Start a worker that runs the app's TypeScript tasks")
    .requiredOption("-A, --app <module>", "module that exports the Celery app (e.g. ./src/tasks.ts)")
    .option("-Q, --queues <queues>", "comma-separated queues to consume (default: the app's default queue)")
    .addOption(new Option("-c, --concurrency <n>", "tasks run at once").argParser(positiveInteger).default(8))
    .addOption(new Option("-P, --pool <pool>", "async: tasks share the event loop (I/O-bound work); threads: one worker thread per task slot (CPU-bound work; time limits stop the task)").choices(["async", "threads"]).default("async"))
    .addOption(new Option("--prefetch-multiplier <n>", "prefetch = concurrency × this").argParser(positiveInteger).default(4))
    .option("-b, --broker <url>", "broker URL (overrides the app's)")
    .option("--backend <url>", "result backend URL (overrides the app's)")
    .option("-E, --events", "send task events", false)
    .option("-n, --hostname <name>", "node name (%h = host name)", undefined)
    .option("--acks-late", "acknowledge tasks after they ran", false)
    .addOption(new Option("-l, --loglevel <level>", "log level").choices([...LEVELS]).default("info"))
    .action(async (flags: WorkerFlags) => {
      await runWorker(flags);
    });
}
