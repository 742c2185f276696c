// Which silence, if any, covers a rule's subject at a moment: one in force then whose rule is that
// rule (or every rule) and whose glob matches the subject.

import type { AlertSilenceRow } from "../store/index";
import { globMatcher } from "./glob-pattern";

/** A lookup of the silence covering (ruleId, subject) at `now` (epoch seconds): its id, or null. */
export function silenceMatcher(silences: readonly AlertSilenceRow[], now: number): (ruleId: string, subject: string) => string | null {
  const active = silences.filter((silence) => silence.startsAt <= now && silence.endsAt > now).map((silence) => ({ ...silence, matches: globMatcher(silence.subject) }));
  return (ruleId, subject) => active.find((silence) => (silence.ruleId === null || silence.ruleId === ruleId) && silence.matches(subject))?.id ?? null;
}
