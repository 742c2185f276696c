// Operators quieting alerts: acknowledging one that fires (who is on it, and a note), silencing a
// rule or some of its subjects for a while (a snooze), and ending a silence early.

import { z } from "zod";
import { AppError } from "../app-error";
import { alertStore, type AlertSilenceRow, type Store } from "../store/index";
import { globPattern } from "./glob-pattern";

const MAX_SILENCE_SECONDS = 30 * 86_400;

export const acknowledgeInput = z.object({
  ruleId: z.string().trim().min(1).max(200),
  subject: z.string().max(500),
  note: z.string().trim().max(2000).optional(),
});

export const silenceInput = z.object({
  /** Absent: every rule. */
  ruleId: z.string().trim().min(1).max(200).optional(),
  /** Glob of subjects; "*" the whole rule. */
  subject: globPattern.default("*"),
  /** How long from now. */
  durationSeconds: z.number().int().min(60).max(MAX_SILENCE_SECONDS),
  reason: z.string().trim().max(2000).optional(),
});

export async function acknowledgeAlert(store: Store, input: z.infer<typeof acknowledgeInput>, actor: string): Promise<{ acknowledged: true }> {
  const done = await alertStore(store).acknowledge({ ruleId: input.ruleId, subject: input.subject }, actor, input.note ?? null, Date.now() / 1000);
  if (!done) throw new AppError("CONFLICT", "This alert is not firing any more (it resolved, or is only pending): there is nothing to acknowledge. Reload the page.");
  return { acknowledged: true };
}

export async function silenceAlerts(store: Store, input: z.infer<typeof silenceInput>, actor: string): Promise<AlertSilenceRow> {
  const alerts = alertStore(store);
  if (input.ruleId && !(await alerts.getRule(input.ruleId))) throw new AppError("NOT_FOUND", `No alert rule ${input.ruleId}: it may have been deleted. Reload the page.`);
  const now = Date.now() / 1000;
  return alerts.createSilence({ ruleId: input.ruleId ?? null, subject: input.subject, startsAt: now, endsAt: now + input.durationSeconds, createdBy: actor, reason: input.reason ?? null });
}

export async function expireSilence(store: Store, id: string, actor: string): Promise<{ expired: string }> {
  if (!(await alertStore(store).expireSilence(id, actor, Date.now() / 1000))) throw new AppError("CONFLICT", `Silence #${id} is over already (or does not exist). Reload the page.`);
  return { expired: id };
}
