// `celeriac retry <id>`: re-sends a task from the history through the control plane's
// retry-task service (its captured message, same id and retries + 1, chord join rebuilt), as
// the dashboard's Retry does, audited as `cli:<os user>`.

import type { Command } from "commander";
import { withCliAdmin } from "../cli-admin";
import { addBackendOption, addBrokerOption, type ConnectionFlags } from "../cli-connection";
import { exitWhenDone } from "../command-exit";
import { printStep, printWarning } from "../progress";
import { printJson } from "../terminal";

interface RetryFlags extends ConnectionFlags {
  /** Unset: the service decides (a fresh id for a REVOKED task, the same one otherwise). */
  newId?: boolean;
  reason?: string;
  dryRun: boolean;
  json: boolean;
}

async function runRetry(id: string, flags: RetryFlags): Promise<void> {
  const { previewRetry, retryTask } = await import("../../server/services/retry-task");
  await withCliAdmin(flags, { cluster: true }, async ({ runtime, act }) => {
    printStep(`Planning the retry of ${id} from the history in ${runtime.store.where}`);
    const input = { taskId: id, newId: flags.newId };
    const preview = await previewRetry(runtime, input);
    const { message } = preview;
    printStep(`${preview.name ?? "task"} ${id} is ${preview.state}; re-sending its ${preview.source === "captured" ? "captured message" : preview.source === "plan" ? "planned step (from its workflow's captured plan)" : "result_extended arguments"} to ${message.queue ?? message.routingKey} as ${message.taskId} (retries ${message.retries})`);
    for (const warning of preview.warnings) printWarning(warning);
    if (flags.dryRun) {
      if (flags.json) printJson({ dryRun: true, preview });
      else process.stdout.write(`Dry run: nothing sent. Run again without --dry-run to retry ${id}.\n`);
      return;
    }
    const { result, auditId } = await act({ action: "task.retry", target: id, reason: flags.reason, input }, () => retryTask(runtime, input));
    if (flags.json) printJson({ ...result, auditId, warnings: preview.warnings });
    else process.stdout.write(`Retried ${id}: sent as ${result.sentId}${result.chordGroupId ? ` (join of chord ${result.chordGroupId} rebuilt)` : ""}; audit entry ${auditId}.\n`);
  });
}

/** Registers `celeriac retry`. */
export function addRetryCommand(program: Command): void {
  const command = program
    .command("retry")
    .description("Retry a task from the history (DATABASE_URL): its captured message is sent again, same id, so its workflow resumes; audited as cli:<user>")
    .argument("<id>", "task id")
    .option("--new-id", "send under a fresh task id, root and parent kept (the default for a REVOKED task: workers discard revoked ids)")
    .option("--no-new-id", "keep the task's id even if it was revoked")
    .option("--reason <text>", "why, for the audit log")
    .option("--dry-run", "show what would be sent, send nothing", false)
    .option("-j, --json", "print {taskId, sentId, chordGroupId, auditId, warnings} as JSON", false);
  addBackendOption(addBrokerOption(command)).action(exitWhenDone(runRetry));
}
