// `celeriac control <command>`: changes the workers' behaviour through app.control (revoke,
// limits, pool, consumers, events, shutdown), printed per node as `celery control` prints it.
// Exits 69 when nobody replied and 1 when a worker answered with an error.

import { constants } from "node:os";
import { type Command, InvalidArgumentError } from "commander";
import { type Control, type ControlCallOptions, type ControlResult, flattenReply, type NodeReply } from "../../celery/index";
import { withApp } from "../cli-connection";
import { CliError, EXIT, type ExitCode } from "../cli-error";
import { exitWhenDone } from "../command-exit";
import { finishReplies, printNodeReply } from "../node-replies";
import { nonNegativeSeconds, positiveInteger } from "../option-parsers";
import { addRemoteControlOptions, type RemoteControlFlags } from "../remote-control-options";
import { printJson } from "../terminal";

/** A signal name as the workers take it: `SIGTERM`, `TERM`, `sigkill` → `SIGKILL`. */
function signalName(value: string): string {
  const name = value.toUpperCase().startsWith("SIG") ? value.toUpperCase() : `SIG${value.toUpperCase()}`;
  if (!(name in constants.signals)) throw new InvalidArgumentError(`Not a signal name: use SIGTERM, SIGKILL, SIGINT, SIGUSR1, …`);
  return name;
}

/** A time limit in seconds, or "none" to lift it. */
function limitSeconds(value: string): number | null {
  return value.toLowerCase() === "none" ? null : nonNegativeSeconds(value);
}

type Send = (control: Control, call: ControlCallOptions) => Promise<NodeReply<ControlResult>[]>;

/** Broadcasts one command, prints the replies, and turns "nobody answered" / "a worker refused" into exit codes. */
async function broadcast(flags: RemoteControlFlags, send: Send): Promise<ExitCode> {
  return withApp(flags, { backend: false }, async (app): Promise<ExitCode> => {
    const replies = await send(app.control, {
      reply: true,
      destination: flags.destination,
      timeout: flags.timeout * 1000,
      ...(flags.json ? {} : { onReply: (reply) => printNodeReply(reply) }),
    });
    const byNode = flattenReply(replies);
    finishReplies(Object.keys(byNode).length, { timeoutSeconds: flags.timeout, broker: app.broker.displayUrl, json: flags.json });
    if (flags.json) printJson(byNode);
    if (!Object.values(byNode).some((reply) => "error" in reply)) return EXIT.OK;
    process.stderr.write("Error: at least one worker refused the command (see its reply above).\n");
    return EXIT.FAILURE;
  });
}

/** Adds a subcommand with the remote-control options; `action` receives the arguments, then the flags. */
function subcommand(parent: Command, name: string, description: string): Command {
  const command = parent.command(name).description(description);
  return addRemoteControlOptions(command);
}

/** Registers `celeriac control <command>`. */
export function addControlCommand(program: Command): void {
  const control = program
    .command("control")
    .description("Change the workers' behaviour (as `celery control`): revoke tasks, set limits, resize pools, add/cancel consumers, shut down")
    .addHelpText("after", "\nExamples:\n  celeriac control revoke 1f0c… --terminate\n  celeriac control rate_limit proj.add 10/m -d celery@host1\n  celeriac control shutdown -d celery@host1");

  subcommand(control, "revoke", "Revoke tasks: workers skip them when they arrive; --terminate also ends them if running")
    .argument("<ids...>", "task ids")
    .option("--terminate", "also signal the process/slot running the task", false)
    .option("-s, --signal <name>", "signal for --terminate", signalName, "SIGTERM")
    .action(
      exitWhenDone((ids: string[], flags: RemoteControlFlags & { terminate: boolean; signal: string }) =>
        broadcast(flags, (c, call) => c.revoke(ids, { ...call, terminate: flags.terminate, signal: flags.signal })),
      ),
    );

  subcommand(control, "terminate", "Terminate running tasks with a signal (revoke with --terminate)")
    .argument("<signal>", "signal name, e.g. SIGTERM or SIGKILL", signalName)
    .argument("<ids...>", "task ids")
    .action(exitWhenDone((signal: string, ids: string[], flags: RemoteControlFlags) => broadcast(flags, (c, call) => c.terminate(ids, { ...call, signal }))));

  subcommand(control, "rate_limit", "Set a task type's rate limit on the workers: 10/s, 100/m, 1000/h (0 lifts it)")
    .argument("<task>", "task name")
    .argument("<rate>", "rate such as 10/m; 0 for no limit")
    .action(exitWhenDone((task: string, rate: string, flags: RemoteControlFlags) => broadcast(flags, (c, call) => c.rateLimit(task, rate === "0" ? null : rate, call))));

  subcommand(control, "time_limit", "Set a task type's soft and hard time limits, in seconds (\"none\" lifts one)")
    .argument("<task>", "task name")
    .argument("<soft>", "soft limit in seconds, or none", limitSeconds)
    .argument("[hard]", "hard limit in seconds, or none", limitSeconds)
    .action(
      exitWhenDone((task: string, soft: number | null, hard: number | null | undefined, flags: RemoteControlFlags) =>
        broadcast(flags, (c, call) => c.timeLimit(task, soft, hard ?? null, call)),
      ),
    );

  for (const [name, grow] of [["pool_grow", true], ["pool_shrink", false]] as const) {
    subcommand(control, name, `${grow ? "Add" : "Remove"} pool processes (concurrency slots) on the workers`)
      .argument("[n]", "how many", positiveInteger, 1)
      .action(exitWhenDone((n: number, flags: RemoteControlFlags) => broadcast(flags, (c, call) => (grow ? c.poolGrow(n, call) : c.poolShrink(n, call)))));
  }

  subcommand(control, "add_consumer", "Make the workers consume from another queue")
    .argument("<queue>", "queue name")
    .argument("[exchange]", "exchange to bind it to (default: the queue's name)")
    .argument("[exchange_type]", "direct, topic or fanout (default direct)")
    .argument("[routing_key]", "binding key (default: the queue's name)")
    .action(
      exitWhenDone((queue: string, exchange: string | undefined, exchangeType: string | undefined, routingKey: string | undefined, flags: RemoteControlFlags) => {
        if (exchangeType !== undefined && !["direct", "topic", "fanout"].includes(exchangeType)) {
          throw new CliError(`exchange_type ${JSON.stringify(exchangeType)} is not one of direct, topic, fanout.`, EXIT.USAGE);
        }
        return broadcast(flags, (c, call) =>
          c.addConsumer(queue, { ...call, exchange, exchangeType: exchangeType as "direct" | "topic" | "fanout" | undefined, routingKey }),
        );
      }),
    );

  subcommand(control, "cancel_consumer", "Make the workers stop consuming from a queue")
    .argument("<queue>", "queue name")
    .action(exitWhenDone((queue: string, flags: RemoteControlFlags) => broadcast(flags, (c, call) => c.cancelConsumer(queue, call))));

  for (const [name, enable] of [["enable_events", true], ["disable_events", false]] as const) {
    subcommand(control, name, `Turn the workers' task events ${enable ? "on (as worker -E)" : "off"}`).action(
      exitWhenDone((flags: RemoteControlFlags) => broadcast(flags, (c, call) => (enable ? c.enableEvents(call) : c.disableEvents(call)))),
    );
  }

  subcommand(control, "shutdown", "Warm-shut-down workers (running tasks finish first); needs --destination, or --all for every worker on the broker")
    .option("--all", "shut down every worker on the broker", false)
    .action(
      exitWhenDone(async (flags: RemoteControlFlags & { all: boolean }) => {
        if (!flags.destination && !flags.all) {
          throw new CliError("control shutdown stops workers: name them with --destination node1,node2, or pass --all to stop every worker on the broker.", EXIT.USAGE);
        }
        await withApp(flags, { backend: false }, async (app) => {
          // Workers exit without replying (Celery raises SystemExit first): nothing to wait for.
          await app.control.shutdown({ destination: flags.destination });
          const whom = flags.destination ? flags.destination.join(", ") : `every worker on ${app.broker.displayUrl}`;
          if (flags.json) printJson({ shutdown: flags.destination ?? "all" });
          else process.stdout.write(`Shutdown sent to ${whom}.\n`);
        });
      }),
    );
}
