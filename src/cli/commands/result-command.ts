// `celeriac result <id>`: a task's state, result and traceback from the result backend (as
// `celery result`), or with --tree the whole workflow around it with each node's state.

import { type Command, Option } from "commander";
import { AsyncResult, type ResultMeta } from "../../celery/index";
import { addBackendOption, type ConnectionFlags, withBackend } from "../cli-connection";
import { type CliError, EXIT, type ExitCode } from "../cli-error";
import { exitWhenDone } from "../command-exit";
import { positiveInteger, positiveSeconds } from "../option-parsers";
import { renderResultTree } from "../render-result-tree";
import { readResultTree } from "../result-tree";
import { formatResult, resultDocument, waitForResult, waitOutcomeError } from "../task-result";
import { printJson } from "../terminal";

interface ResultFlags extends ConnectionFlags {
  tree: boolean;
  json: boolean;
  wait?: number;
  maxNodes: number;
}

async function runResult(id: string, flags: ResultFlags): Promise<ExitCode> {
  const failure = await withBackend(flags, async (backend): Promise<CliError | null> => {
    const result = new AsyncResult(id, backend);
    let meta: ResultMeta;
    let failure: CliError | null = null;
    if (flags.wait === undefined) meta = await result.meta();
    else {
      const waited = await waitForResult(result, flags.wait);
      meta = waited.meta;
      failure = waitOutcomeError(id, meta, waited.timedOut, flags.wait);
    }
    if (flags.tree) {
      const tree = await readResultTree(backend, id, { maxNodes: flags.maxNodes });
      if (flags.json) printJson(tree);
      else process.stdout.write(`${renderResultTree(tree)}\n`);
    } else if (flags.json) printJson(resultDocument(id, meta));
    else process.stdout.write(`${formatResult(resultDocument(id, meta))}\n`);
    return failure;
  });
  // What there is has been printed; the failure of a wait comes last, on stderr.
  if (!failure) return EXIT.OK;
  process.stderr.write(`Error: ${failure.message}\n`);
  return failure.exitCode;
}

/** Registers `celeriac result`. */
export function addResultCommand(program: Command): void {
  const command = program
    .command("result")
    .description("Show a task's state, result and traceback from the result backend; --tree shows its whole workflow")
    .argument("<id>", "task id")
    .option("--tree", "show the workflow around the task: up to its root through parent_id, then every child, groups as containers, with states", false)
    .addOption(new Option("-w, --wait <s>", "wait up to this many seconds for the task to finish first (exit 1 if it failed or is not ready)").argParser(positiveSeconds))
    .addOption(new Option("--max-nodes <n>", "most nodes --tree reads").argParser(positiveInteger).default(1000))
    .option("-j, --json", "print JSON: the result document {id, state, result, traceback, …}, or with --tree the tree {root, truncated, nodes}", false)
    .addHelpText(
      "after",
      "\nCelery links a chord's body to the workflow only through the body's parent_id, so --tree finds it when asked about\nthe body or a later task (the id apply_async returned for a whole chain); asked about the root, it ends at the group.\n\nExamples:\n  celeriac result 1f0c…\n  celeriac result 1f0c… --wait 30 --json\n  celeriac result 1f0c… --tree",
    );
  addBackendOption(command).action(exitWhenDone(runResult));
}
