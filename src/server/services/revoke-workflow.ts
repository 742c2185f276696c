// Revoking a workflow: every task of the root that is not finished, including planned steps not
// sent yet (workers keep revoked ids, so a step sent later is discarded when it arrives).

import { READY_STATES } from "../../celery/index";
import { z } from "zod";
import { AppError } from "../app-error";
import type { Runtime } from "../runtime/runtime";
import { revokeOptions, taskId } from "./action-input";
import { executeRevoke, type RevokeResult, type RevokeTarget, revokeWarnings } from "./revoke-plan";
import type { RevokePreview } from "./revoke-task";

export const revokeWorkflowInput = z.object({ rootId: taskId, ...revokeOptions });
export type RevokeWorkflowInput = z.input<typeof revokeWorkflowInput>;

/** Placeholder ids (planned-id.ts) stand for callbacks whose real id does not exist yet. */
const PLACEHOLDER = /^planned:/;

export interface RevokeWorkflowPreview extends RevokePreview {
  rootId: string;
  /** Tasks of the workflow left alone because they already finished. */
  finished: number;
}

async function planRevokeWorkflow(runtime: Runtime, input: RevokeWorkflowInput): Promise<RevokeWorkflowPreview> {
  const { rootId, terminate, signal } = revokeWorkflowInput.parse(input);
  const workflow = await runtime.store.getWorkflow(rootId);
  if (workflow.nodes.length === 0) throw new AppError("NOT_FOUND", `No workflow with root ${rootId} in the history.`);
  const open = workflow.nodes.filter((node) => !READY_STATES.has(node.state));
  const placeholders = open.filter((node) => PLACEHOLDER.test(node.id));
  const tasks: RevokeTarget[] = open.filter((node) => !PLACEHOLDER.test(node.id)).map((node) => ({ taskId: node.id, name: node.name ?? null, state: node.state }));
  const warnings = revokeWarnings(tasks, { terminate, signal });
  if (placeholders.length > 0) warnings.push(`${placeholders.length} callback(s) have no task id until their worker sends them, so they cannot be revoked in advance: ${placeholders.map((node) => node.name).join(", ")}.`);
  if (tasks.length === 0) warnings.push("Every task of this workflow has finished: there is nothing to revoke.");
  return { rootId, tasks, terminate, signal, warnings, finished: workflow.nodes.length - open.length };
}

/** What revoking the workflow would do. */
export function previewRevokeWorkflow(runtime: Runtime, input: RevokeWorkflowInput): Promise<RevokeWorkflowPreview> {
  return planRevokeWorkflow(runtime, input);
}

/** Revokes every unfinished task of the workflow, planned steps included, and records them REVOKED. */
export async function revokeWorkflow(runtime: Runtime, input: RevokeWorkflowInput): Promise<RevokeResult> {
  const plan = await planRevokeWorkflow(runtime, input);
  return executeRevoke(runtime, plan.tasks, plan);
}
