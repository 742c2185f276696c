// The quarantine page's reads: inputs the ingestion set aside, newest first, with the reason and
// the counts per source. Payloads were redacted when kept; they are redacted again on the way out,
// so a pattern added since also applies.

import { z } from "zod";
import { redactText } from "../../services/redact";
import { router, viewerProcedure } from "../trpc";

const listQuarantineInput = z.object({
  limit: z.number().int().min(1).max(200).default(50),
  /** `nextBefore` of the previous page. */
  before: z.string().regex(/^\d+$/, "`before` is the numeric id of a quarantine entry").optional(),
  source: z.enum(["event", "capture", "backend", "task-message"]).optional(),
});

export const quarantineRouter = router({
  list: viewerProcedure.input(listQuarantineInput).query(async ({ ctx, input }) => {
    const [entries, counters] = await Promise.all([ctx.runtime.store.listQuarantine(input), ctx.runtime.store.getCounters()]);
    const last = entries.at(-1);
    const totals = Object.fromEntries(Object.entries(counters).filter(([name]) => name.startsWith("quarantined.")).map(([name, value]) => [name.slice("quarantined.".length), value]));
    return {
      entries: entries.map((entry) => ({ ...entry, payload: redactText(entry.payload, ctx.runtime.redactKeys) ?? "" })),
      totals,
      nextBefore: entries.length === input.limit && last ? last.id : null,
    };
  }),
});
