// The alerts' part of the store: rules, channels, open alerts, history, deliveries, silences, the
// evaluator's lease and the measurements rules need, each guarded like the Store's own methods so
// a lost database connection surfaces as StoreUnavailable. Obtain it with alertStore(store).

import type { AlertChannel, AlertChannelInput } from "../alerts/alert-channel";
import type { AlertRule, AlertRuleSpec } from "../alerts/alert-rule";
import { deleteChannel, listChannels, replaceFileChannels, saveChannel } from "./alert-channels";
import { type DeliveryAttempt, type DueDelivery, dueDeliveries, recordDeliveryAttempt } from "./alert-deliveries";
import { type AlertDeliveryRow, type AlertEventRow, listAlertEvents } from "./alert-history";
import { newestFailedTask, newestOnlineHeartbeat, runtimeHistograms, type TaskOutcomes, taskOutcomes } from "./alert-measurements";
import { createRule, deleteRule, getRule, listRules, replaceFileRules, updateRule } from "./alert-rules";
import { acquireLease, type AlertRunnerStatus, releaseLease, reportRun, runnerStatus } from "./alert-runner";
import { type AlertSilenceRow, createSilence, expireSilence, listSilences } from "./alert-silences";
import { acknowledgeAlert, type AlertStateRow, type Evaluation, listStates, saveEvaluation } from "./alert-states";
import type { Store } from "./store";
import { guardConnection } from "./store-unavailable";

export class AlertStore {
  constructor(private readonly store: Store) {}

  private guard<T>(work: () => Promise<T>): Promise<T> {
    return guardConnection(this.store.where, work);
  }

  private get sql() {
    return this.store.sql;
  }

  listRules(): Promise<AlertRule[]> {
    return this.guard(() => listRules(this.sql));
  }

  getRule(id: string): Promise<AlertRule | null> {
    return this.guard(() => getRule(this.sql, id));
  }

  /** Resolves to null when the name is taken. */
  createRule(spec: AlertRuleSpec, actor: string): Promise<AlertRule | null> {
    return this.guard(() => createRule(this.sql, spec, actor));
  }

  updateRule(id: string, spec: AlertRuleSpec, actor: string): Promise<AlertRule | "missing" | "name-taken"> {
    return this.guard(() => updateRule(this.sql, id, spec, actor));
  }

  deleteRule(id: string, actor: string): Promise<boolean> {
    return this.guard(() => deleteRule(this.sql, id, actor));
  }

  replaceFileRules(specs: readonly AlertRuleSpec[]): Promise<{ skipped: string[] }> {
    return this.guard(() => replaceFileRules(this.sql, specs));
  }

  /** With credentials: for the server's notifiers only. */
  listChannels(): Promise<AlertChannel[]> {
    return this.guard(() => listChannels(this.sql));
  }

  saveChannel(input: AlertChannelInput, actor: string): Promise<"saved" | "file"> {
    return this.guard(() => saveChannel(this.sql, input, actor));
  }

  deleteChannel(name: string): Promise<boolean> {
    return this.guard(() => deleteChannel(this.sql, name));
  }

  replaceFileChannels(inputs: readonly AlertChannelInput[]): Promise<{ skipped: string[] }> {
    return this.guard(() => replaceFileChannels(this.sql, inputs));
  }

  listStates(): Promise<AlertStateRow[]> {
    return this.guard(() => listStates(this.sql));
  }

  saveEvaluation(evaluation: Evaluation): Promise<void> {
    return this.guard(() => saveEvaluation(this.sql, evaluation));
  }

  acknowledge(alert: { ruleId: string; subject: string }, actor: string, note: string | null, at: number): Promise<boolean> {
    return this.guard(() => acknowledgeAlert(this.sql, alert, actor, note, at));
  }

  listEvents(options: { limit: number; before?: string; ruleId?: string }): Promise<(AlertEventRow & { deliveries: AlertDeliveryRow[] })[]> {
    return this.guard(() => listAlertEvents(this.sql, options));
  }

  dueDeliveries(now: number, limit: number): Promise<DueDelivery[]> {
    return this.guard(() => dueDeliveries(this.sql, now, limit));
  }

  recordDeliveryAttempt(id: string, attempt: DeliveryAttempt): Promise<void> {
    return this.guard(() => recordDeliveryAttempt(this.sql, id, attempt));
  }

  listSilences(now: number, recentLimit?: number): Promise<AlertSilenceRow[]> {
    return this.guard(() => listSilences(this.sql, now, recentLimit));
  }

  createSilence(silence: Parameters<typeof createSilence>[1]): Promise<AlertSilenceRow> {
    return this.guard(() => createSilence(this.sql, silence));
  }

  expireSilence(id: string, actor: string, now: number): Promise<boolean> {
    return this.guard(() => expireSilence(this.sql, id, actor, now));
  }

  acquireLease(holder: string, now: number, ttlSeconds: number): Promise<boolean> {
    return this.guard(() => acquireLease(this.sql, holder, now, ttlSeconds));
  }

  releaseLease(holder: string): Promise<void> {
    return this.guard(() => releaseLease(this.sql, holder));
  }

  reportRun(holder: string, report: Parameters<typeof reportRun>[2]): Promise<void> {
    return this.guard(() => reportRun(this.sql, holder, report));
  }

  runnerStatus(): Promise<AlertRunnerStatus | null> {
    return this.guard(() => runnerStatus(this.sql));
  }

  taskOutcomes(since: number): Promise<TaskOutcomes[]> {
    return this.guard(() => taskOutcomes(this.sql, since));
  }

  runtimeHistograms(since: number): Promise<Map<string, number[]>> {
    return this.guard(() => runtimeHistograms(this.sql, since));
  }

  newestFailedTask(taskName: string, since: number): Promise<{ id: string; exception: string | null } | null> {
    return this.guard(() => newestFailedTask(this.sql, taskName, since));
  }

  newestOnlineHeartbeat(): Promise<number | null> {
    return this.guard(() => newestOnlineHeartbeat(this.sql));
  }
}

const alertStores = new WeakMap<Store, AlertStore>();

/** The alerts' view of an open store (one per store). */
export function alertStore(store: Store): AlertStore {
  let alerts = alertStores.get(store);
  if (!alerts) alertStores.set(store, (alerts = new AlertStore(store)));
  return alerts;
}
