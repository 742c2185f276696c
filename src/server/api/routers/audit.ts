// The audit log for the dashboard's audit page: newest first, filtered by actor or action prefix,
// paged by the id of the last row seen.

import { z } from "zod";
import { router, viewerProcedure } from "../trpc";

const listAuditInput = z.object({
  limit: z.number().int().min(1).max(200).default(50),
  /** `nextBefore` of the previous page. */
  before: z.string().regex(/^\d+$/, "`before` is the numeric id of an audit entry").optional(),
  actor: z.string().trim().min(1).max(100).optional(),
  /** Matches actions starting with this, e.g. `task.` or `worker.shutdown`. */
  action: z.string().trim().min(1).max(100).optional(),
});

export const auditRouter = router({
  list: viewerProcedure.input(listAuditInput).query(async ({ ctx, input }) => {
    const entries = await ctx.runtime.store.listAudit(input);
    const last = entries.at(-1);
    return { entries, nextBefore: entries.length === input.limit && last ? last.id : null };
  }),
});
