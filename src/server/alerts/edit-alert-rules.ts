// Creating, changing and deleting the rules and channels kept in the store (admins only; the
// router checks). Those from the rules file are read-only here: they change with the file.

import { AppError } from "../app-error";
import { alertStore, type Store } from "../store/index";
import type { AlertChannelInput } from "./alert-channel";
import type { AlertRule, AlertRuleSpec } from "./alert-rule";

const FROM_FILE = "comes from the rules file (CELERIAC_ALERT_RULES_FILE): change it there";

async function editableRule(store: Store, id: string): Promise<AlertRule> {
  const rule = await alertStore(store).getRule(id);
  if (!rule) throw new AppError("NOT_FOUND", `No alert rule ${id}: it may have been deleted meanwhile. Reload the page.`);
  if (rule.source === "file") throw new AppError("CONFLICT", `The rule ${JSON.stringify(rule.name)} ${FROM_FILE}.`);
  return rule;
}

/** Creates a rule (no id) or replaces one; resolves to the stored rule. */
export async function saveAlertRule(store: Store, input: { id?: string; rule: AlertRuleSpec }, actor: string): Promise<AlertRule> {
  const alerts = alertStore(store);
  const taken = () => new AppError("CONFLICT", `An alert rule named ${JSON.stringify(input.rule.name)} exists already: choose another name.`);
  if (!input.id) return (await alerts.createRule(input.rule, actor)) ?? Promise.reject(taken());
  await editableRule(store, input.id);
  const updated = await alerts.updateRule(input.id, input.rule, actor);
  if (updated === "name-taken") throw taken();
  if (updated === "missing") throw new AppError("NOT_FOUND", `No alert rule ${input.id}: it may have been deleted meanwhile. Reload the page.`);
  return updated;
}

/** Deletes a rule, closing its open alerts (recorded as resolved, not notified). */
export async function deleteAlertRule(store: Store, id: string, actor: string): Promise<{ deleted: string }> {
  const rule = await editableRule(store, id);
  if (!(await alertStore(store).deleteRule(id, actor))) throw new AppError("NOT_FOUND", `No alert rule ${id}: it may have been deleted meanwhile.`);
  return { deleted: rule.name };
}

/** Creates or replaces a channel; a webhook saved without a secret keeps the stored one. */
export async function saveAlertChannel(store: Store, input: AlertChannelInput, actor: string): Promise<{ saved: string }> {
  if ((await alertStore(store).saveChannel(input, actor)) === "file") throw new AppError("CONFLICT", `The channel ${JSON.stringify(input.name)} ${FROM_FILE}.`);
  return { saved: input.name };
}

export async function deleteAlertChannel(store: Store, name: string): Promise<{ deleted: string }> {
  if (!(await alertStore(store).deleteChannel(name))) throw new AppError("NOT_FOUND", `No channel ${JSON.stringify(name)} edited here (a channel from the rules file changes with the file).`);
  return { deleted: name };
}
