// What the alerts page and the overview read: the open alerts with their rule and whether a
// silence covers them, the rules and channels (never a channel's credentials), silences, the
// history with deliveries, and how the evaluator last ran.

import { type AlertStore, alertStore, type Store } from "../store/index";
import { type ChannelView, channelView } from "./alert-channel";
import { ALERT_KINDS, type AlertRule, KIND_INFO, SEVERITIES } from "./alert-rule";
import { silenceMatcher } from "./silence-matcher";

export interface OpenAlert {
  ruleId: string;
  ruleName: string;
  kind: AlertRule["kind"];
  severity: string;
  subject: string;
  status: "pending" | "firing" | "resolving";
  value: number;
  /** Epoch seconds. */
  since: number;
  firedAt: number | null;
  link: string;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  acknowledgeNote: string | null;
  /** The silence holding back its notifications, if one does. */
  silencedBy: string | null;
}

const SEVERITY_ORDER: Record<string, number> = { critical: 0, warning: 1, info: 2 };

/** Open alerts: firing (and resolving) first, by severity, then pending. */
export async function openAlerts(store: Store, now = Date.now() / 1000): Promise<OpenAlert[]> {
  const alerts = alertStore(store);
  const [states, rules, silences] = await Promise.all([alerts.listStates(), alerts.listRules(), alerts.listSilences(now)]);
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const silencedBy = silenceMatcher(silences, now);
  return states
    .flatMap((state) => {
      const rule = byId.get(state.ruleId);
      if (!rule) return [];
      return [{ ...state, ruleName: rule.name, kind: rule.kind, severity: rule.severity, silencedBy: silencedBy(rule.id, state.subject) }];
    })
    .sort((a, b) => Number(a.status === "pending") - Number(b.status === "pending") || (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9) || b.since - a.since);
}

/** Rules, channels without credentials, the kinds' descriptions, and the evaluator's status. */
export async function alertSettings(store: Store): Promise<{ rules: AlertRule[]; channels: ChannelView[]; kinds: typeof KIND_INFO; kindNames: typeof ALERT_KINDS; severities: typeof SEVERITIES; runner: Awaited<ReturnType<AlertStore["runnerStatus"]>> }> {
  const alerts = alertStore(store);
  const [rules, channels, runner] = await Promise.all([alerts.listRules(), alerts.listChannels(), alerts.runnerStatus()]);
  return { rules, channels: channels.map(channelView), kinds: KIND_INFO, kindNames: ALERT_KINDS, severities: SEVERITIES, runner };
}
