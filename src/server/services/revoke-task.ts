// Revoking one task: workers skip it when it arrives, and with terminate a running one is
// signalled; the store records it REVOKED at once.

import { z } from "zod";
import type { Runtime } from "../runtime/runtime";
import { revokeOptions, taskId } from "./action-input";
import { executeRevoke, type RevokeResult, type RevokeTarget, revokeWarnings } from "./revoke-plan";

export const revokeTaskInput = z.object({ taskId, ...revokeOptions });
export type RevokeTaskInput = z.input<typeof revokeTaskInput>;

export interface RevokePreview {
  tasks: RevokeTarget[];
  terminate: boolean;
  signal: string;
  warnings: string[];
}

async function planRevoke(runtime: Runtime, input: RevokeTaskInput): Promise<RevokePreview> {
  const { taskId: id, terminate, signal } = revokeTaskInput.parse(input);
  const task = await runtime.store.getTask(id);
  const targets: RevokeTarget[] = [{ taskId: id, name: task?.name ?? null, state: task?.state ?? null }];
  return { tasks: targets, terminate, signal, warnings: revokeWarnings(targets, { terminate, signal }) };
}

/** What revoking the task would do. */
export function previewRevoke(runtime: Runtime, input: RevokeTaskInput): Promise<RevokePreview> {
  return planRevoke(runtime, input);
}

/** Revokes the task on every worker (terminating it when asked) and records it REVOKED. */
export async function revokeTask(runtime: Runtime, input: RevokeTaskInput): Promise<RevokeResult> {
  const plan = await planRevoke(runtime, input);
  return executeRevoke(runtime, plan.tasks, plan);
}
