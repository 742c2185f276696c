// `celeriac relaunch <rootId>`: runs a workflow from the history again through the control
// plane's relaunch-workflow service — all of it under new ids, or only its failed steps — with
// each step printed, audited as `cli:<os user>`.

import type { Command } from "commander";
import { withCliAdmin } from "../cli-admin";
import { addBackendOption, addBrokerOption, type ConnectionFlags } from "../cli-connection";
import { exitWhenDone } from "../command-exit";
import { printStep, printWarning } from "../progress";
import { printJson } from "../terminal";

interface RelaunchFlags extends ConnectionFlags {
  failedOnly: boolean;
  reason?: string;
  dryRun: boolean;
  json: boolean;
}

async function runRelaunch(rootId: string, flags: RelaunchFlags): Promise<void> {
  const { previewRelaunch, relaunchWorkflow } = await import("../../server/services/relaunch-workflow");
  const mode = flags.failedOnly ? "failedOnly" : "all";
  await withCliAdmin(flags, { cluster: true }, async ({ runtime, act }) => {
    printStep(`Reading workflow ${rootId} from the history in ${runtime.store.where}`);
    const input = { rootId, mode } as const;
    const preview = await previewRelaunch(runtime, input);
    if (mode === "all" && preview.message) {
      // The preview's new ids are examples: sending draws fresh ones, printed once sent.
      printStep(`Relaunching the whole workflow under new ids: ${preview.message.name} to ${preview.message.queue ?? preview.message.routingKey}, then ${preview.message.continuation.length} step(s) after it`);
    }
    for (const retry of preview.retries) printStep(`Retrying failed step ${retry.name ?? "task"} ${retry.taskId} (${retry.state})`);
    for (const step of preview.skipped) printStep(`Leaving ${step.name ?? "task"} ${step.taskId} (${step.state}): ${step.reason}`);
    for (const warning of [...preview.warnings, ...preview.retries.flatMap((retry) => retry.warnings)]) printWarning(warning);
    if (flags.dryRun) {
      if (flags.json) printJson({ dryRun: true, preview });
      else process.stdout.write(`Dry run: nothing sent. Run again without --dry-run to relaunch ${rootId}.\n`);
      return;
    }
    printStep("Sending");
    const { result, auditId } = await act({ action: "workflow.relaunch", target: rootId, reason: flags.reason, input }, () => relaunchWorkflow(runtime, input));
    printStep(`Sent ${result.sentIds.length} message(s): ${result.sentIds.join(", ")}${result.newRootId ? ` (the new root)` : ""}`);
    if (flags.json) printJson({ ...result, mode, auditId });
    else process.stdout.write(`${result.newRootId ? `Relaunched ${rootId} as ${result.newRootId}` : `Retried the failed steps of ${rootId}`}; audit entry ${auditId}.\n`);
  });
}

/** Registers `celeriac relaunch`. */
export function addRelaunchCommand(program: Command): void {
  const command = program
    .command("relaunch")
    .description("Run a workflow from the history (DATABASE_URL) again: all of it under new ids, or with --failed-only just its failed steps; audited as cli:<user>")
    .argument("<rootId>", "the workflow's root task id")
    .option("--failed-only", "retry only the failed steps whose predecessors succeeded; leave the rest", false)
    .option("--reason <text>", "why, for the audit log")
    .option("--dry-run", "show what would be sent, send nothing", false)
    .option("-j, --json", "print {rootId, newRootId, sentIds, mode, auditId} as JSON", false);
  addBackendOption(addBrokerOption(command)).action(exitWhenDone(runRelaunch));
}
