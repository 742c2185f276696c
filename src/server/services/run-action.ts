// Every operator action goes through here: it is recorded in the audit log before it runs and
// finished with its outcome after; a repeated idempotency key returns the first run's result
// instead of acting twice.

import { AppError } from "../app-error";
import type { Context, SessionUser } from "../api/trpc";
import type { AuditJson } from "../store/index";
import { redactValue } from "./redact";

export interface ActionSpec {
  /** Dotted name shown in the audit log: `task.retry`, `workflow.revoke`, `worker.shutdown`. */
  action: string;
  /** What it acts on (a task id, root id, worker, queue), for the audit log. */
  target?: string;
  reason?: string;
  /** The validated input, stored redacted. */
  input: Record<string, unknown>;
  /** Chosen by the client for one submission (a UUID). */
  idempotencyKey: string;
}

export interface ActionOutcome<T> {
  result: T;
  /** True when this submission repeated an earlier one: nothing was done again. */
  duplicate: boolean;
  auditId: string;
}

/** Runs `work` as `user`, audited and idempotent. `work`'s result must be JSON. */
export async function runAction<T>(ctx: Pick<Context, "runtime" | "clientAddress"> & { session: { user: SessionUser } }, spec: ActionSpec, work: () => Promise<T>): Promise<ActionOutcome<T>> {
  const { store } = ctx.runtime;
  const { entry, duplicate } = await store.beginAudit({
    actor: ctx.session.user.name,
    role: ctx.session.user.role,
    action: spec.action,
    target: spec.target ?? null,
    reason: spec.reason ?? null,
    input: redactValue(spec.input, ctx.runtime.redactKeys) as AuditJson,
    clientAddress: ctx.clientAddress,
    idempotencyKey: spec.idempotencyKey,
  });
  if (duplicate) {
    if (entry.action !== spec.action) throw new AppError("CONFLICT", `Idempotency key ${spec.idempotencyKey} was already used for ${entry.action}: submit with a new key.`);
    if (entry.outcome === "pending") throw new AppError("CONFLICT", "This action is still running from an earlier submission: wait for it, then reload.");
    if (entry.outcome === "error") throw new AppError("CONFLICT", `This submission already ran and failed: ${entry.error ?? "unknown error"}. Submit again to retry.`);
    return { result: entry.result as T, duplicate: true, auditId: entry.id };
  }
  try {
    const result = await work();
    await store.finishAudit(entry.id, { result: (result ?? null) as AuditJson });
    return { result, duplicate: false, auditId: entry.id };
  } catch (error) {
    await store.finishAudit(entry.id, { error: (error as Error).message }).catch(() => {});
    throw error;
  }
}
