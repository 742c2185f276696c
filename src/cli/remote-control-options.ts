// The options every remote-control command (inspect, control) takes, as `celery inspect` and
// `celery control` have them: whom to ask, how long to wait, JSON output, which broker.

import { type Command, Option } from "commander";
import { addBrokerOption, type ConnectionFlags } from "./cli-connection";
import { commaList, positiveSeconds } from "./option-parsers";

export interface RemoteControlFlags extends ConnectionFlags {
  destination?: string[];
  /** Seconds. */
  timeout: number;
  json: boolean;
}

/** Adds `-d/--destination`, `-t/--timeout`, `-j/--json` and `-b/--broker`. */
export function addRemoteControlOptions(command: Command): Command {
  return addBrokerOption(
    command
      .option("-d, --destination <nodes>", "comma-separated node names to address (default: every worker)", commaList)
      .addOption(new Option("-t, --timeout <s>", "seconds to wait for replies").argParser(positiveSeconds).default(1))
      .option("-j, --json", "print the replies as one JSON object {node: reply}", false),
  );
}
