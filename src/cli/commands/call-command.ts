// `celeriac call <task>`: sends a task by name through the library (app.sendTask), as `celery
// call` does (celery/bin/call.py), and prints its id — or, with --wait, its result.

import { type Command, InvalidArgumentError, Option } from "commander";
import type { TaskOptions } from "../../celery/index";
import { addBackendOption, addBrokerOption, type ConnectionFlags, withApp } from "../cli-connection";
import { CliError, EXIT, type ExitCode } from "../cli-error";
import { exitWhenDone } from "../command-exit";
import { isoDateTime, nonNegativeInteger, nonNegativeSeconds, positiveSeconds } from "../option-parsers";
import { jsonArray, jsonObject } from "../parse-json-option";
import { jsonText, resultDocument, waitForResult, waitOutcomeError } from "../task-result";
import { printJson } from "../terminal";

interface CallFlags extends ConnectionFlags {
  args: unknown[];
  kwargs: Record<string, unknown>;
  queue?: string;
  exchange?: string;
  routingKey?: string;
  countdown?: number;
  eta?: Date;
  expires?: number | Date;
  priority?: number;
  taskId?: string;
  wait?: number;
  json: boolean;
}

/** `--expires`: seconds from now, or an ISO 8601 date-time. */
function expiry(value: string): number | Date {
  return /^\d{4}-/.test(value) ? isoDateTime(value) : nonNegativeSeconds(value);
}

function priority(value: string): number {
  const number = nonNegativeInteger(value);
  if (number > 255) throw new InvalidArgumentError("Must be between 0 and 255 (Redis uses 0-9, RabbitMQ up to the queue's x-max-priority)");
  return number;
}

async function runCall(task: string, flags: CallFlags): Promise<ExitCode> {
  if (flags.countdown !== undefined && flags.eta !== undefined) throw new CliError("Give --countdown or --eta, not both: they both set when the task may run.", EXIT.USAGE);
  const options: TaskOptions = {
    queue: flags.queue,
    exchange: flags.exchange,
    routing_key: flags.routingKey,
    countdown: flags.countdown,
    eta: flags.eta,
    expires: flags.expires,
    priority: flags.priority,
    task_id: flags.taskId,
  };
  return withApp(flags, { backend: flags.wait !== undefined }, async (app): Promise<ExitCode> => {
    const result = await app.sendTask(task, flags.args, flags.kwargs, options);
    if (flags.wait === undefined) {
      if (flags.json) printJson({ id: result.id });
      else process.stdout.write(`${result.id}\n`);
      return EXIT.OK;
    }
    const { meta, timedOut } = await waitForResult(result, flags.wait);
    const failure = waitOutcomeError(result.id, meta, timedOut, flags.wait);
    // Scripts get the document whatever happened; people get the value, or the error below.
    if (flags.json) printJson(resultDocument(result.id, meta));
    else if (!failure) process.stdout.write(`${jsonText(meta.result)}\n`);
    if (!failure) return EXIT.OK;
    if (!flags.json && meta.traceback) process.stderr.write(`${meta.traceback.trimEnd()}\n`);
    process.stderr.write(`Error: ${failure.message}\n`);
    return failure.exitCode;
  });
}

/** Registers `celeriac call`. */
export function addCallCommand(program: Command): void {
  const command = program
    .command("call")
    .description("Send a task by name and print its id (with --wait, wait for it and print its result)")
    .argument("<task>", "task name, e.g. proj.add")
    .addOption(new Option("-a, --args <json>", "positional arguments as a JSON array").argParser(jsonArray).default([], "[]"))
    .addOption(new Option("-k, --kwargs <json>", "keyword arguments as a JSON object").argParser(jsonObject).default({}, "{}"))
    .option("-Q, --queue <name>", "queue to send to (default: the task's route, else celery)")
    .option("--exchange <name>", "exchange to publish to (with --routing-key)")
    .option("--routing-key <key>", "routing key")
    .addOption(new Option("--countdown <s>", "run no earlier than this many seconds from now").argParser(nonNegativeSeconds))
    .addOption(new Option("--eta <iso>", "run no earlier than this date-time (ISO 8601)").argParser(isoDateTime))
    .addOption(new Option("--expires <s|iso>", "discard the task if not started by then (seconds from now or ISO date-time)").argParser(expiry))
    .addOption(new Option("--priority <n>", "message priority (0-255)").argParser(priority))
    .option("--task-id <id>", "use this id instead of a new UUID")
    .addOption(new Option("-w, --wait <s>", "wait up to this many seconds for the result and print it (exit 1 if it failed or is not ready)").argParser(positiveSeconds))
    .option("-j, --json", "print JSON: {id}, or with --wait the result document {id, state, result, traceback, …}", false)
    .addHelpText("after", `\nExamples:\n  celeriac call proj.add --args '[2, 3]'\n  celeriac call proj.report --kwargs '{"month": "2026-11"}' --queue reports --wait 30 --json`);
  addBackendOption(addBrokerOption(command)).action(exitWhenDone(runCall));
}
