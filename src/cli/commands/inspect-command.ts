// `celeriac inspect <method>`: asks the workers about themselves through app.control.inspect(),
// printed per node as `celery inspect` prints it (celery/bin/control.py), exit 69 when nobody replied.

import type { Command } from "commander";
import type { Inspect, InspectReply } from "../../celery/index";
import { withApp } from "../cli-connection";
import { exitWhenDone } from "../command-exit";
import { finishReplies, printNodeReply } from "../node-replies";
import { addRemoteControlOptions, type RemoteControlFlags } from "../remote-control-options";
import { printJson } from "../terminal";

interface InspectMethod {
  name: string;
  /** Commander argument syntax, when the method takes arguments. */
  args?: string;
  description: string;
  call(inspect: Inspect, args: string[]): Promise<InspectReply<unknown>>;
}

const METHODS: InspectMethod[] = [
  { name: "ping", description: "Ping workers: every live one answers pong", call: (inspect) => inspect.ping() },
  { name: "active", description: "Tasks the workers are executing now", call: (inspect) => inspect.active() },
  { name: "reserved", description: "Tasks prefetched by the workers, waiting for a free slot", call: (inspect) => inspect.reserved() },
  { name: "scheduled", description: "Tasks held by the workers until their ETA/countdown", call: (inspect) => inspect.scheduled() },
  {
    name: "registered",
    args: "[attributes...]",
    description: "Task names each worker runs; attributes (rate_limit, time_limit, soft_time_limit, acks_late, …) are listed beside each name",
    call: (inspect, attributes) => inspect.registered(...attributes),
  },
  { name: "stats", description: "Worker statistics: tasks run by name, pid, uptime, pool, broker, resource usage", call: (inspect) => inspect.stats() },
  { name: "revoked", description: "Task ids the workers hold as revoked", call: (inspect) => inspect.revoked() },
  { name: "query_task", args: "<ids...>", description: "Where the given task ids are on each worker (active, reserved or ready) and their details", call: (inspect, ids) => inspect.queryTask(ids) },
  { name: "active_queues", description: "Queues each worker consumes from", call: (inspect) => inspect.activeQueues() },
  { name: "conf", description: "Each worker's configuration (without defaults)", call: (inspect) => inspect.conf() },
  { name: "clock", description: "Each worker's logical (Lamport) clock", call: (inspect) => inspect.clock() },
  { name: "report", description: "Each worker's bug report text", call: (inspect) => inspect.report() },
];

async function runInspect(method: InspectMethod, args: string[], flags: RemoteControlFlags): Promise<void> {
  await withApp(flags, { backend: false }, async (app) => {
    const inspect = app.control.inspect({
      destination: flags.destination,
      timeout: flags.timeout * 1000,
      // People see each node as it answers; scripts get one JSON document at the end.
      ...(flags.json ? {} : { onReply: (reply) => printNodeReply(reply as Record<string, unknown>) }),
    });
    const replies = await method.call(inspect, args);
    finishReplies(replies ? Object.keys(replies).length : 0, { timeoutSeconds: flags.timeout, broker: app.broker.displayUrl, json: flags.json });
    if (flags.json) printJson(replies);
  });
}

/** Registers `celeriac inspect <method>` with one subcommand per inspect method. */
export function addInspectCommand(program: Command): void {
  const inspect = program
    .command("inspect")
    .description("Ask the workers about their state (as `celery inspect`); exits 69 when no worker replied")
    .addHelpText("after", "\nExamples:\n  celeriac inspect ping\n  celeriac inspect active -d celery@host1 --json\n  celeriac inspect query_task 1f0c… 9a2b…");
  for (const method of METHODS) {
    const command = inspect.command(method.args ? `${method.name} ${method.args}` : method.name).description(method.description);
    addRemoteControlOptions(command).action(
      exitWhenDone(async (...params: unknown[]) => {
        // commander passes the variadic argument (when declared) before the options.
        const args = method.args ? (params[0] as string[]) : [];
        const flags = (method.args ? params[1] : params[0]) as RemoteControlFlags;
        await runInspect(method, args, flags);
      }),
    );
  }
}
