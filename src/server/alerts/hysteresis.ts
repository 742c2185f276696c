// The alert state machine of one rule and one subject. Values rise with trouble: the alert fires
// once the value has stayed at or over fireThreshold for forSeconds, stays firing while it is at
// or over resolveThreshold (lower: hysteresis), and resolves once it has stayed under
// resolveThreshold for resolveForSeconds. A dip inside a duration starts that duration again.

import type { AlertRuleSpec } from "./alert-rule";

export type AlertStatus = "pending" | "firing" | "resolving";

export interface SubjectState {
  status: AlertStatus;
  value: number;
  /** Epoch seconds the status began. */
  since: number;
  /** Epoch seconds it fired (firing and resolving only). */
  firedAt: number | null;
}

export interface Step {
  /** null: healthy (no row). */
  state: SubjectState | null;
  transition: "fired" | "resolved" | null;
}

type Thresholds = Pick<AlertRuleSpec, "fireThreshold" | "resolveThreshold" | "forSeconds" | "resolveForSeconds">;

/** The state after measuring `value` at `now` (epoch seconds). */
export function nextState(rule: Thresholds, previous: SubjectState | null, value: number, now: number): Step {
  if (previous === null || previous.status === "pending") {
    if (value < rule.fireThreshold) return { state: null, transition: null };
    const since = previous?.since ?? now;
    if (now - since >= rule.forSeconds) return { state: { status: "firing", value, since: now, firedAt: now }, transition: "fired" };
    return { state: { status: "pending", value, since, firedAt: null }, transition: null };
  }
  const firedAt = previous.firedAt ?? previous.since;
  if (value >= rule.resolveThreshold) return { state: { status: "firing", value, since: firedAt, firedAt }, transition: null };
  const since = previous.status === "resolving" ? previous.since : now;
  if (now - since >= rule.resolveForSeconds) return { state: null, transition: "resolved" };
  return { state: { status: "resolving", value, since, firedAt }, transition: null };
}
