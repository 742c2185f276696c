// The audit log: one row per attempted action (who, what, when, why, outcome, ids created).
// An action's idempotency key is unique, so a double submission finds the first attempt's row
// instead of acting twice.

import type { Prisma, PrismaClient } from "@prisma/client";

/** A JSON value the audit log can hold (input, result). */
export type AuditJson = Prisma.InputJsonValue;

export interface AuditEntry {
  id: string;
  at: Date;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  reason: string | null;
  input: unknown;
  outcome: "pending" | "ok" | "error";
  result: unknown;
  error: string | null;
  clientAddress: string | null;
  idempotencyKey: string | null;
}

export interface NewAuditEntry {
  actor: string;
  role: string;
  action: string;
  target?: string | null;
  reason?: string | null;
  input: Prisma.InputJsonValue;
  clientAddress?: string | null;
  idempotencyKey?: string | null;
}

function toEntry(row: Prisma.AuditEntryGetPayload<object>): AuditEntry {
  return { ...row, id: row.id.toString(), outcome: row.outcome as AuditEntry["outcome"] };
}

/**
 * Records an action about to run. Resolves to `{ entry, duplicate: true }` with the earlier row
 * when the idempotency key was used before.
 */
export async function beginAudit(prisma: PrismaClient, entry: NewAuditEntry): Promise<{ entry: AuditEntry; duplicate: boolean }> {
  if (entry.idempotencyKey) {
    const earlier = await prisma.auditEntry.findUnique({ where: { idempotencyKey: entry.idempotencyKey } });
    if (earlier) return { entry: toEntry(earlier), duplicate: true };
  }
  try {
    return { entry: toEntry(await prisma.auditEntry.create({ data: { ...entry, outcome: "pending" } })), duplicate: false };
  } catch (error) {
    // Two submissions raced past the lookup: the unique key lets exactly one through.
    if (entry.idempotencyKey && (error as { code?: string }).code === "P2002") {
      const earlier = await prisma.auditEntry.findUniqueOrThrow({ where: { idempotencyKey: entry.idempotencyKey } });
      return { entry: toEntry(earlier), duplicate: true };
    }
    throw error;
  }
}

export async function finishAudit(prisma: PrismaClient, id: string, outcome: { result?: Prisma.InputJsonValue; error?: string }): Promise<void> {
  await prisma.auditEntry.update({
    where: { id: BigInt(id) },
    data: { outcome: outcome.error === undefined ? "ok" : "error", ...(outcome.result === undefined ? {} : { result: outcome.result }), error: outcome.error ?? null },
  });
}

/** Newest first; `before` is the id of the last row of the previous page. */
export async function listAudit(prisma: PrismaClient, options: { limit: number; before?: string; actor?: string; action?: string }): Promise<AuditEntry[]> {
  const rows = await prisma.auditEntry.findMany({
    where: {
      ...(options.before ? { id: { lt: BigInt(options.before) } } : {}),
      ...(options.actor ? { actor: options.actor } : {}),
      ...(options.action ? { action: { startsWith: options.action } } : {}),
    },
    orderBy: { id: "desc" },
    take: options.limit,
  });
  return rows.map(toEntry);
}
