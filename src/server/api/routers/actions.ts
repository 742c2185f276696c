// The control plane's actions: each a `preview…` query saying exactly what will happen and an
// audited, idempotent mutation doing it (services/run-action.ts). Logic lives in the services.

import { z } from "zod";
import { applyFields } from "../../services/action-input";
import { applyBulkInput, bulkAction, bulkActionInput, previewBulk } from "../../services/bulk-action";
import { controlWorker, controlWorkerInput, previewControlWorker } from "../../services/control-worker";
import { previewPurge, purgeQueue, purgeQueueInput } from "../../services/purge-queue";
import { previewRelaunch, relaunchWorkflow, relaunchWorkflowInput } from "../../services/relaunch-workflow";
import { previewRetry, retryTask, retryTaskInput } from "../../services/retry-task";
import { previewRevoke, revokeTask, revokeTaskInput } from "../../services/revoke-task";
import { previewRevokeWorkflow, revokeWorkflow, revokeWorkflowInput } from "../../services/revoke-workflow";
import { type ActionOutcome, runAction } from "../../services/run-action";
import { previewSend, sendTask, sendTaskInput } from "../../services/send-task";
import { adminProcedure, type Context, operatorProcedure, router, type SessionUser } from "../trpc";

type ActorContext = Pick<Context, "runtime" | "clientAddress"> & { session: { user: SessionUser } };

/** Runs `work` through runAction, auditing the input without the submission's own fields. */
function audited<T>(ctx: ActorContext, action: string, target: string, input: { reason?: string; idempotencyKey: string }, work: () => Promise<T>): Promise<ActionOutcome<T>> {
  const { reason, idempotencyKey, ...rest } = input;
  return runAction(ctx, { action, target, reason, input: rest, idempotencyKey }, work);
}

export const actionsRouter = router({
  previewRetry: operatorProcedure.input(retryTaskInput).query(({ ctx, input }) => previewRetry(ctx.runtime, input)),
  retry: operatorProcedure.input(retryTaskInput.extend(applyFields)).mutation(({ ctx, input }) => audited(ctx, "task.retry", input.taskId, input, () => retryTask(ctx.runtime, input))),

  previewRevoke: operatorProcedure.input(revokeTaskInput).query(({ ctx, input }) => previewRevoke(ctx.runtime, input)),
  revoke: operatorProcedure.input(revokeTaskInput.extend(applyFields)).mutation(({ ctx, input }) => audited(ctx, "task.revoke", input.taskId, input, () => revokeTask(ctx.runtime, input))),

  previewRevokeWorkflow: operatorProcedure.input(revokeWorkflowInput).query(({ ctx, input }) => previewRevokeWorkflow(ctx.runtime, input)),
  revokeWorkflow: operatorProcedure
    .input(revokeWorkflowInput.extend(applyFields))
    .mutation(({ ctx, input }) => audited(ctx, "workflow.revoke", input.rootId, input, () => revokeWorkflow(ctx.runtime, input))),

  previewRelaunch: operatorProcedure.input(relaunchWorkflowInput).query(({ ctx, input }) => previewRelaunch(ctx.runtime, input)),
  relaunch: operatorProcedure
    .input(relaunchWorkflowInput.extend(applyFields))
    .mutation(({ ctx, input }) => audited(ctx, "workflow.relaunch", input.rootId, input, () => relaunchWorkflow(ctx.runtime, input))),

  previewBulk: operatorProcedure.input(bulkActionInput).query(({ ctx, input }) => previewBulk(ctx.runtime, input)),
  bulk: operatorProcedure
    .input(applyBulkInput.extend(applyFields))
    .mutation(({ ctx, input }) => audited(ctx, `tasks.bulk-${input.action}`, `${input.taskIds.length} task(s)`, input, () => bulkAction(ctx.runtime, input))),

  previewSend: operatorProcedure.input(sendTaskInput).query(({ ctx, input }) => previewSend(ctx.runtime, input)),
  send: operatorProcedure.input(sendTaskInput.extend(applyFields)).mutation(({ ctx, input }) => audited(ctx, "task.send", input.name, input, () => sendTask(ctx.runtime, input))),

  previewControlWorker: operatorProcedure.input(controlWorkerInput).query(({ ctx, input }) => previewControlWorker(ctx.runtime, input)),
  controlWorker: operatorProcedure
    .input(controlWorkerInput.extend(applyFields))
    .mutation(({ ctx, input }) => audited(ctx, `worker.${input.action.command}`, input.hostname, input, () => controlWorker(ctx.runtime, input))),

  previewPurge: adminProcedure.input(purgeQueueInput).query(({ ctx, input }) => previewPurge(ctx.runtime, input)),
  purge: adminProcedure
    .input(purgeQueueInput.extend({ confirmQueue: z.string().max(255), ...applyFields }))
    .mutation(({ ctx, input }) => audited(ctx, "queue.purge", input.queue, input, () => purgeQueue(ctx.runtime, input))),
});
