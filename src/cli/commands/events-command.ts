// `celeriac events`: a live tail of the cluster's events through the library's EventReceiver,
// one line per event (as `celery events --dump`), until Ctrl-C or --limit.

import { type Command, Option } from "commander";
import { type CeleryEvent, EventReceiver } from "../../celery/index";
import { addBrokerOption, type ConnectionFlags, withApp } from "../cli-connection";
import { exitWhenDone } from "../command-exit";
import { positiveInteger } from "../option-parsers";
import { paint, printJsonLine, type Style } from "../terminal";

interface EventsFlags extends ConnectionFlags {
  json: boolean;
  heartbeats: boolean;
  limit?: number;
}

/** The fields worth a column for each event type (the rest is in --json). */
const FIELDS: Record<string, string[]> = {
  "task-sent": ["args", "kwargs", "queue", "eta", "retries"],
  "task-received": ["args", "kwargs", "eta", "retries"],
  "task-started": ["pid"],
  "task-succeeded": ["runtime", "result"],
  "task-failed": ["exception"],
  "task-retried": ["exception"],
  "task-revoked": ["terminated", "signum", "expired"],
  "task-rejected": ["requeue"],
  "worker-online": ["sw_ident", "sw_ver", "freq"],
  "worker-heartbeat": ["active", "processed", "freq"],
  "worker-offline": ["active", "processed"],
};

const TYPE_STYLES: Record<string, Style[]> = {
  "task-succeeded": ["green", "bold"],
  "task-failed": ["red", "bold"],
  "task-revoked": ["magenta", "bold"],
  "task-rejected": ["red"],
  "task-retried": ["yellow", "bold"],
  "task-started": ["cyan"],
  "worker-offline": ["red"],
  "worker-online": ["green"],
};

/** Task names by id, from task-sent/received (later events of a task carry no name); bounded. */
class TaskNames {
  private readonly names = new Map<string, string>();
  constructor(private readonly capacity = 10_000) {}

  learn(event: CeleryEvent): string | undefined {
    const uuid = "uuid" in event && typeof event.uuid === "string" ? event.uuid : undefined;
    if (!uuid) return undefined;
    const name = "name" in event && typeof event.name === "string" ? event.name : undefined;
    if (name) {
      this.names.set(uuid, name);
      if (this.names.size > this.capacity) this.names.delete(this.names.keys().next().value!);
    }
    return name ?? this.names.get(uuid);
  }
}

function field(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** One event as a line: time, type, hostname, task id and name, then the fields of its type. */
export function formatEvent(event: CeleryEvent, name: string | undefined): string {
  const record = event as unknown as Record<string, unknown>;
  const time = new Date(event.timestamp * 1000).toISOString();
  const uuid = typeof record.uuid === "string" ? record.uuid : "";
  const fields = (FIELDS[event.type] ?? [])
    .filter((key) => record[key] !== undefined && record[key] !== null)
    .map((key) => `${paint(`${key}=`, "dim")}${field(record[key])}`);
  const columns = [paint(time, "dim"), paint(event.type.padEnd(16), TYPE_STYLES[event.type] ?? []), event.hostname, uuid, name ?? ""];
  return [...columns.filter(Boolean), ...fields].join("  ");
}

async function runEvents(flags: EventsFlags): Promise<void> {
  await withApp(flags, { backend: false }, async (app) => {
    const names = new TaskNames();
    let seen = 0;
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const receiver = new EventReceiver(app.broker, {
      onError: (error) => process.stderr.write(`warning: skipped an event: ${error.message}\n`),
      handlers: {
        "*": (event) => {
          const name = names.learn(event);
          if (!flags.heartbeats && event.type === "worker-heartbeat") return;
          if (flags.json) printJsonLine(name && !("name" in event) ? { ...event, name } : event);
          else process.stdout.write(`${formatEvent(event, name)}\n`);
          seen += 1;
          if (flags.limit !== undefined && seen >= flags.limit) stop();
        },
      },
    });
    await receiver.start();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    // On stderr, so that the event lines on stdout stay machine-readable.
    process.stderr.write(`Listening for events on ${app.broker.displayUrl}${flags.limit ? ` (stopping after ${flags.limit})` : ""}; Ctrl-C to stop.\n`);
    await stopped;
    await receiver.stop();
  });
}

/** Registers `celeriac events`. */
export function addEventsCommand(program: Command): void {
  const command = program
    .command("events")
    .description("Print the cluster's events live, one line each (time, type, worker, task id, name, fields), until Ctrl-C")
    .option("-j, --json", "one JSON object per event per line (the event as sent, with the task name filled in)", false)
    .option("--no-heartbeats", "leave out worker-heartbeat events")
    .addOption(new Option("-n, --limit <n>", "stop after this many events").argParser(positiveInteger))
    .addHelpText("after", "\nWorkers send task events only when started with -E (or after `celeriac control enable_events`).");
  addBrokerOption(command).action(exitWhenDone(runEvents));
}
