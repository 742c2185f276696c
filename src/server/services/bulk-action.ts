// Retry or revoke over a task-list filter. The preview lists exactly what will run again (or be
// revoked), at most BULK_LIMIT tasks; applying needs that exact id set back, so what runs is
// what was previewed, and an explicit confirmation.

import { READY_STATES } from "../../celery/index";
import { z } from "zod";
import { AppError } from "../app-error";
import type { Runtime } from "../runtime/runtime";
import { listTasksQuery, type TaskSummary } from "../store/index";
import { revokeOptions, taskId } from "./action-input";
import { executeRevoke, type RevokeResult, type RevokeTarget, revokeWarnings } from "./revoke-plan";
import { executeRetry, planRetry, type RetryPlan } from "./retry-task";

/** Most tasks one bulk action touches. */
export const BULK_LIMIT = 1000;
const PAGE = 500;

/** The task list's filters (no paging: a bulk action covers every match). */
export const bulkFilter = listTasksQuery.omit({ cursor: true, limit: true, order: true });

export const bulkActionInput = z.object({ action: z.enum(["retry", "revoke"]), filter: bulkFilter, ...revokeOptions });
export type BulkActionInput = z.input<typeof bulkActionInput>;

export const applyBulkInput = bulkActionInput.extend({
  /** The preview's `ids`, exactly. */
  taskIds: z.array(taskId).max(BULK_LIMIT),
  confirm: z.literal(true, { error: "confirm the bulk action (confirm: true)" }),
});
export type ApplyBulkInput = z.input<typeof applyBulkInput>;

export interface BulkTask {
  taskId: string;
  name: string | null;
  state: string;
}

export interface BulkPreview {
  action: "retry" | "revoke";
  /** How many tasks the action covers (= ids.length). */
  count: number;
  /** The exact set to send back to apply. */
  ids: string[];
  tasks: BulkTask[];
  /** Matching tasks left out, and why (cannot be retried, already finished). */
  skipped: (BulkTask & { reason: string })[];
  warnings: string[];
}

export interface BulkResult {
  action: "retry" | "revoke";
  /** Retry: the ids sent; revoke: the ids revoked. */
  done: string[];
  /** Retries that could not be sent (the others were). */
  failed: { taskId: string; error: string }[];
  replies: RevokeResult["replies"];
}

async function matchingTasks(runtime: Runtime, filter: z.infer<typeof bulkFilter>): Promise<TaskSummary[]> {
  const found: TaskSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await runtime.store.listTasks({ ...filter, order: "oldest", limit: PAGE, cursor });
    found.push(...page.tasks);
    cursor = page.nextCursor ?? undefined;
    if (found.length > BULK_LIMIT) {
      throw new AppError("BAD_INPUT", `More than ${BULK_LIMIT} tasks match this filter: narrow it (a time range, a state, a name) so at most ${BULK_LIMIT} are acted on at once.`);
    }
  } while (cursor);
  return found;
}

interface BulkPlan {
  preview: BulkPreview;
  retries: RetryPlan[];
  revokes: RevokeTarget[];
}

const summary = (task: TaskSummary): BulkTask => ({ taskId: task.id, name: task.name ?? null, state: task.state });

async function planBulk(runtime: Runtime, input: BulkActionInput): Promise<BulkPlan> {
  const { action, filter, terminate, signal } = bulkActionInput.parse(input);
  const matches = await matchingTasks(runtime, filter);
  const tasks: BulkTask[] = [];
  const skipped: BulkPreview["skipped"] = [];
  const retries: RetryPlan[] = [];
  const revokes: RevokeTarget[] = [];
  const warnings: string[] = [];
  for (const task of matches) {
    if (action === "revoke") {
      if (READY_STATES.has(task.state)) skipped.push({ ...summary(task), reason: `already ${task.state}` });
      else {
        tasks.push(summary(task));
        revokes.push({ taskId: task.id, name: task.name ?? null, state: task.state });
      }
      continue;
    }
    try {
      const plan = await planRetry(runtime, { taskId: task.id });
      retries.push(plan);
      tasks.push(summary(task));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      skipped.push({ ...summary(task), reason: error.message });
    }
  }
  if (action === "revoke") warnings.push(...revokeWarnings(revokes, { terminate, signal }));
  else {
    const partial = retries.filter((plan) => plan.source === "resultExtended").length;
    if (partial > 0) warnings.push(`${partial} task(s) have no captured message: they are re-sent from their result_extended arguments and their workflows do not resume after them.`);
    const running = retries.filter((plan) => !READY_STATES.has(plan.task.state)).length;
    if (running > 0) warnings.push(`${running} task(s) are not finished: if they are still queued or running, they run twice.`);
  }
  if (tasks.length === 0) warnings.push("Nothing to do: no matching task can be acted on.");
  return { preview: { action, count: tasks.length, ids: tasks.map((task) => task.taskId), tasks, skipped, warnings }, retries, revokes };
}

/** Exactly which tasks the bulk action would act on. */
export async function previewBulk(runtime: Runtime, input: BulkActionInput): Promise<BulkPreview> {
  return (await planBulk(runtime, input)).preview;
}

/** Runs the bulk action on the previewed set; refuses if the matching set changed since. */
export async function bulkAction(runtime: Runtime, input: ApplyBulkInput): Promise<BulkResult> {
  const parsed = applyBulkInput.parse(input);
  const plan = await planBulk(runtime, parsed);
  const expected = new Set(parsed.taskIds);
  const now = new Set(plan.preview.ids);
  const added = [...now].filter((id) => !expected.has(id)).length;
  const gone = [...expected].filter((id) => !now.has(id)).length;
  if (added > 0 || gone > 0 || expected.size !== parsed.taskIds.length) {
    throw new AppError("CONFLICT", `The tasks this action covers changed since the preview (${added} new, ${gone} no longer included): preview again and confirm the new set.`);
  }
  if (parsed.action === "revoke") {
    const result = await executeRevoke(runtime, plan.revokes, parsed);
    return { action: "revoke", done: result.revoked, failed: [], replies: result.replies };
  }
  const done: string[] = [];
  const failed: BulkResult["failed"] = [];
  for (const retry of plan.retries) {
    try {
      done.push((await executeRetry(runtime, retry)).sentId);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      failed.push({ taskId: retry.task.id, error: error.message });
    }
  }
  return { action: "retry", done, failed, replies: [] };
}
