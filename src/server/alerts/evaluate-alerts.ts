// One evaluation of every enabled rule in scope: measure, step each subject's state machine,
// decide what to notify (nothing while a silence covers the subject; a firing held back by a
// silence is notified once the silence ends if it still fires; a resolution only when its firing
// was notified), and write states, history and queued deliveries in one transaction.

import { redactText } from "../services/redact";
import type { AlertStateRow, AlertStateWrite, AlertStore, Evaluation, NewAlertEvent, Store } from "../store/index";
import { alertMessage } from "./alert-message";
import { AlertReadings } from "./alert-readings";
import { ALL_ENVIRONMENTS, type AlertRule } from "./alert-rule";
import type { CounterHistory } from "./counter-history";
import { nextState } from "./hysteresis";
import { measureRule, subjectLinks } from "./measure-rule";
import { silenceMatcher } from "./silence-matcher";

/** The environment every rule applies to until Celeriac watches several (issue 16 §1). */
export const DEFAULT_ENVIRONMENT = "default";

export interface EvaluateOptions {
  store: Store;
  alerts: AlertStore;
  counters: CounterHistory;
  /** Keys whose values are redacted from the error text a notification quotes. */
  redactKeys: RegExp;
  /** Epoch seconds. */
  now: number;
  environment?: string;
}

export interface EvaluationResult {
  rules: number;
  /** Alerts pending, firing or resolving after this evaluation. */
  open: number;
  events: NewAlertEvent[];
}

/** Longest error text quoted in a message. */
const DETAIL_CHARACTERS = 300;

export async function evaluateAlerts(options: EvaluateOptions): Promise<EvaluationResult> {
  const { alerts, now } = options;
  const environment = options.environment ?? DEFAULT_ENVIRONMENT;
  const [allRules, states, silenceRows, channels] = await Promise.all([alerts.listRules(), alerts.listStates(), alerts.listSilences(now), alerts.listChannels()]);
  const rules = allRules.filter((rule) => rule.enabled && (rule.environment === ALL_ENVIRONMENTS || rule.environment === environment));
  const silencedBy = silenceMatcher(silenceRows, now);
  const channelTypes = new Map(channels.map((channel) => [channel.name, channel.type]));
  const readings = new AlertReadings(options.store, alerts, now);

  const longestCounterWindow = Math.max(0, ...rules.filter((rule) => rule.kind === "ingest_errors").map((rule) => rule.windowSeconds));
  if (longestCounterWindow > 0) options.counters.record(now, await readings.counters(), longestCounterWindow);

  const statesByRule = new Map<string, AlertStateRow[]>();
  for (const state of states) statesByRule.set(state.ruleId, [...(statesByRule.get(state.ruleId) ?? []), state]);

  const evaluation: Evaluation = { upserts: [], deletes: [], events: [] };
  // Measured at once: the reads they share run once, the others concurrently.
  const measurements = await Promise.all(rules.map((rule) => measureRule(rule, readings, options.counters)));
  for (const [index, rule] of rules.entries()) {
    const measured = measurements[index]!;
    const previous = new Map((statesByRule.get(rule.id) ?? []).map((state) => [state.subject, state]));
    statesByRule.delete(rule.id);
    const notify = rule.channels.map((name) => ({ name, type: channelTypes.get(name) ?? "missing" }));
    for (const subject of new Set([...measured.keys(), ...previous.keys()])) {
      const before = previous.get(subject) ?? null;
      const measurement = measured.get(subject);
      const value = measurement?.value ?? 0;
      const step = nextState(rule, before, value, now);
      const silence = silencedBy(rule.id, subject);
      const event = (kind: "firing" | "resolved", link: string, message: string, channels: boolean): NewAlertEvent => ({
        at: now,
        ruleId: rule.id,
        ruleName: rule.name,
        subject,
        severity: rule.severity,
        kind,
        value,
        message,
        link,
        silencedBy: channels ? null : silence,
        channels: channels ? notify : [],
      });
      if (step.state === null) {
        if (before) evaluation.deletes.push({ ruleId: rule.id, subject });
        if (step.transition === "resolved" && before) {
          evaluation.events.push(event("resolved", before.link, alertMessage(rule, subject, value, "resolved"), before.notified && silence === null));
        }
        continue;
      }
      let link = before?.link ?? measurement?.link ?? subjectLinks.overview();
      let notified = before?.notified ?? false;
      const firingNow = step.state.status !== "pending";
      if (step.transition === "fired" || (firingNow && !notified && silence === null)) {
        let message = alertMessage(rule, subject, value, "firing");
        if (step.transition === "fired") {
          ({ link, message } = await firingDetails(options, rule, subject, measurement?.link ?? link, message));
        } else {
          message += " (a silence held this back; it has ended)";
        }
        notified = silence === null;
        evaluation.events.push(event("firing", link, message, notified));
      }
      const write: AlertStateWrite = { ruleId: rule.id, subject, status: step.state.status, value, since: step.state.since, firedAt: step.state.firedAt, notified: firingNow && notified, link, evaluatedAt: now };
      evaluation.upserts.push(write);
    }
  }
  // Open alerts of rules no longer evaluated here (disabled, or scoped to another environment).
  for (const [ruleId, orphaned] of statesByRule) {
    const rule = allRules.find((candidate) => candidate.id === ruleId);
    for (const state of orphaned) {
      evaluation.deletes.push({ ruleId, subject: state.subject });
      if (rule && state.status !== "pending") {
        evaluation.events.push({ at: now, ruleId, ruleName: rule.name, subject: state.subject, severity: rule.severity, kind: "resolved", value: state.value, message: "the rule was disabled", link: state.link, channels: [] });
      }
    }
  }
  await alerts.saveEvaluation(evaluation);
  return { rules: rules.length, open: evaluation.upserts.length, events: evaluation.events };
}

/** For a task that started failing: the page of its newest failure and that failure's (redacted) error. */
async function firingDetails(options: EvaluateOptions, rule: AlertRule, subject: string, link: string, message: string): Promise<{ link: string; message: string }> {
  if (rule.kind !== "failure_rate" && rule.kind !== "task_failures") return { link, message };
  const failed = await options.alerts.newestFailedTask(subject, options.now - rule.windowSeconds - 60);
  if (!failed) return { link, message };
  const error = redactText(failed.exception, options.redactKeys);
  const detail = error ? ` — last error: ${error.length > DETAIL_CHARACTERS ? `${error.slice(0, DETAIL_CHARACTERS)}…` : error}` : "";
  return { link: subjectLinks.task(failed.id), message: `${message}${detail}` };
}
