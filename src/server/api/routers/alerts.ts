// The alerts page and the overview's alert strip: open alerts, history with deliveries,
// silences, rules, channels (credentials never leave the server) and the Prometheus rules file.
// Who may do what: anyone logged in reads; operators acknowledge and silence (on-call must be able
// to quiet a page); admins edit rules and channels (they decide who gets woken, and hold
// credentials). Every change is audited through runAction.

import { z } from "zod";
import { alertChannelInput, type AlertChannelInput } from "../../alerts/alert-channel";
import { alertRuleInput } from "../../alerts/alert-rule";
import { deleteAlertChannel, deleteAlertRule, saveAlertChannel, saveAlertRule } from "../../alerts/edit-alert-rules";
import { prometheusRules } from "../../alerts/prometheus-rules";
import { alertSettings, openAlerts } from "../../alerts/read-alerts";
import { acknowledgeAlert, acknowledgeInput, expireSilence, silenceAlerts, silenceInput } from "../../alerts/silence-alerts";
import { publicUrl } from "../../alerts/start-alerting";
import { applyFields } from "../../services/action-input";
import { runAction } from "../../services/run-action";
import { alertStore } from "../../store/index";
import { adminProcedure, operatorProcedure, router, viewerProcedure } from "../trpc";

const ruleId = z.string().trim().min(1).max(200);
const numericId = z.string().regex(/^\d+$/, "is the numeric id shown on the page");

/** A channel as the audit log may keep it: where it points, never the URL's path or the secret. */
function auditedChannel(input: AlertChannelInput): Record<string, unknown> {
  const destination = input.type === "email" ? input.recipients : new URL(input.url).origin;
  return { name: input.name, type: input.type, destination, secretGiven: input.type === "webhook" && input.secret !== undefined };
}

export const alertsRouter = router({
  /** Open alerts (firing first) and the newest history, for the alerts page and the overview. */
  current: viewerProcedure.query(async ({ ctx }) => {
    const [open, recent] = await Promise.all([openAlerts(ctx.runtime.store), alertStore(ctx.runtime.store).listEvents({ limit: 5 })]);
    return { open, recent };
  }),

  history: viewerProcedure
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50), before: numericId.optional(), ruleId: ruleId.optional() }))
    .query(async ({ ctx, input }) => {
      const events = await alertStore(ctx.runtime.store).listEvents(input);
      const last = events.at(-1);
      return { events, nextBefore: events.length === input.limit && last ? last.id : null };
    }),

  silences: viewerProcedure.query(({ ctx }) => alertStore(ctx.runtime.store).listSilences(Date.now() / 1000, 20)),

  settings: viewerProcedure.query(async ({ ctx }) => ({ ...(await alertSettings(ctx.runtime.store)), rulesFile: ctx.runtime.config.CELERIAC_ALERT_RULES_FILE ?? null, smtp: ctx.runtime.config.CELERIAC_SMTP_URL !== undefined })),

  prometheusRules: viewerProcedure.query(async ({ ctx }) => prometheusRules(await alertStore(ctx.runtime.store).listRules(), publicUrl(ctx.runtime.config))),

  acknowledge: operatorProcedure
    .input(acknowledgeInput.extend(applyFields))
    .mutation(({ ctx, input }) => {
      const { idempotencyKey, ...rest } = input;
      return runAction(ctx, { action: "alert.acknowledge", target: `${input.ruleId} ${input.subject}`.trim(), reason: input.note, input: rest, idempotencyKey }, () => acknowledgeAlert(ctx.runtime.store, rest, ctx.session.user.name));
    }),

  silence: operatorProcedure
    .input(silenceInput.extend(applyFields))
    .mutation(({ ctx, input }) => {
      const { idempotencyKey, ...rest } = input;
      return runAction(ctx, { action: "alert.silence", target: `${input.ruleId ?? "all rules"} ${input.subject}`, reason: input.reason, input: rest, idempotencyKey }, () => silenceAlerts(ctx.runtime.store, rest, ctx.session.user.name));
    }),

  expireSilence: operatorProcedure
    .input(z.object({ id: numericId, ...applyFields }))
    .mutation(({ ctx, input }) =>
      runAction(ctx, { action: "alert.expire-silence", target: `silence #${input.id}`, reason: input.reason, input: { id: input.id }, idempotencyKey: input.idempotencyKey }, () => expireSilence(ctx.runtime.store, input.id, ctx.session.user.name)),
    ),

  saveRule: adminProcedure
    .input(z.object({ id: ruleId.optional(), rule: alertRuleInput, ...applyFields }))
    .mutation(({ ctx, input }) =>
      runAction(ctx, { action: input.id ? "alert-rule.update" : "alert-rule.create", target: input.rule.name, reason: input.reason, input: { id: input.id, rule: input.rule }, idempotencyKey: input.idempotencyKey }, () =>
        saveAlertRule(ctx.runtime.store, { ...(input.id ? { id: input.id } : {}), rule: input.rule }, ctx.session.user.name),
      ),
    ),

  deleteRule: adminProcedure
    .input(z.object({ id: ruleId, ...applyFields }))
    .mutation(({ ctx, input }) =>
      runAction(ctx, { action: "alert-rule.delete", target: input.id, reason: input.reason, input: { id: input.id }, idempotencyKey: input.idempotencyKey }, () => deleteAlertRule(ctx.runtime.store, input.id, ctx.session.user.name)),
    ),

  saveChannel: adminProcedure
    .input(z.object({ channel: alertChannelInput, ...applyFields }))
    .mutation(({ ctx, input }) =>
      runAction(ctx, { action: "alert-channel.save", target: input.channel.name, reason: input.reason, input: auditedChannel(input.channel), idempotencyKey: input.idempotencyKey }, () =>
        saveAlertChannel(ctx.runtime.store, input.channel, ctx.session.user.name),
      ),
    ),

  deleteChannel: adminProcedure
    .input(z.object({ name: z.string().trim().min(1).max(64), ...applyFields }))
    .mutation(({ ctx, input }) =>
      runAction(ctx, { action: "alert-channel.delete", target: input.name, reason: input.reason, input: { name: input.name }, idempotencyKey: input.idempotencyKey }, () => deleteAlertChannel(ctx.runtime.store, input.name)),
    ),
});
