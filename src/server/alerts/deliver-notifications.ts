// Sends the notifications that are due: each delivery goes to its channel (signed webhook, Slack
// payload or email); a failure is recorded with its reason and retried with exponential back-off
// until the attempts run out, then it stays failed, counted and logged.

import type { Logger } from "../runtime/logger";
import type { AlertStore, DueDelivery } from "../store/index";
import type { AlertChannel } from "./alert-channel";
import { alertNotification } from "./notification";
import { sendEmail, type SmtpSettings } from "./notifiers/send-email";
import { DeliveryFailed, postJson } from "./notifiers/post-json";
import { slackPayload } from "./notifiers/slack-payload";
import { SIGNATURE_HEADER, signWebhook } from "./notifiers/webhook-signature";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait after the first failure; each further failure multiplies it by `factor`. */
  firstDelaySeconds: number;
  factor: number;
  maxDelaySeconds: number;
}

/** 10 s, 30 s, 1.5 min, 4.5 min, 13.5 min, then every 30 min: about 1 h 20 min over 8 attempts. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, firstDelaySeconds: 10, factor: 3, maxDelaySeconds: 1800 };

/** Seconds to wait after the `failures`-th failure. */
export function retryDelay(policy: RetryPolicy, failures: number): number {
  return Math.min(policy.maxDelaySeconds, policy.firstDelaySeconds * policy.factor ** Math.max(0, failures - 1));
}

export interface DeliverOptions {
  alerts: AlertStore;
  publicUrl: string;
  smtp: SmtpSettings | null;
  redactKeys: RegExp;
  log: Logger;
  retry?: RetryPolicy;
  /** Per attempt. */
  timeoutMs?: number;
  /** Deliveries sent per call (the rest wait for the next). */
  limit?: number;
  /** Epoch seconds. */
  now: number;
}

export interface DeliverResult {
  sent: number;
  retrying: number;
  failed: number;
}

async function send(channel: AlertChannel | undefined, due: DueDelivery, options: DeliverOptions, timeoutMs: number): Promise<string> {
  if (!channel) throw new DeliveryFailed(`the channel ${JSON.stringify(due.delivery.channel)} does not exist (deleted, or misspelt in the rule)`);
  const notification = alertNotification(due.event, due.delivery.id, options.publicUrl, options.redactKeys);
  switch (channel.type) {
    case "webhook": {
      const body = JSON.stringify(notification);
      const headers: Record<string, string> = { "x-celeriac-event": notification.status, "x-celeriac-delivery": due.delivery.id };
      if (channel.secret) headers[SIGNATURE_HEADER] = signWebhook(channel.secret, body, Date.now() / 1000);
      return postJson(channel.url ?? "", body, headers, timeoutMs);
    }
    case "slack":
      return postJson(channel.url ?? "", JSON.stringify(slackPayload(notification)), {}, timeoutMs);
    case "email":
      return sendEmail(options.smtp, channel.recipients, notification, timeoutMs);
  }
}

/** Sends every due delivery (up to `limit`) at once and records each outcome. */
export async function deliverNotifications(options: DeliverOptions): Promise<DeliverResult> {
  const policy = options.retry ?? DEFAULT_RETRY;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const due = await options.alerts.dueDeliveries(options.now, options.limit ?? 50);
  const result: DeliverResult = { sent: 0, retrying: 0, failed: 0 };
  if (due.length === 0) return result;
  const channels = new Map((await options.alerts.listChannels()).map((channel) => [channel.name, channel]));
  await Promise.all(
    due.map(async (item) => {
      const attempts = item.delivery.attempts + 1;
      try {
        const response = await send(channels.get(item.delivery.channel), item, options, timeoutMs);
        await options.alerts.recordDeliveryAttempt(item.delivery.id, { status: "sent", attempts, nextAttemptAt: null, lastError: null, response, sentAt: Date.now() / 1000 });
        result.sent++;
      } catch (error) {
        const reason = error instanceof DeliveryFailed ? error.message : `unexpected error: ${(error as Error).message}`;
        const last = attempts >= policy.attempts;
        await options.alerts.recordDeliveryAttempt(item.delivery.id, {
          status: last ? "failed" : "pending",
          attempts,
          nextAttemptAt: last ? null : options.now + retryDelay(policy, attempts),
          lastError: reason,
          response: null,
          sentAt: null,
        });
        const what = `${item.event.kind} of ${JSON.stringify(item.event.ruleName)}${item.event.subject ? ` (${item.event.subject})` : ""} to ${item.delivery.channel}`;
        if (last) {
          result.failed++;
          options.log.error(`gave up notifying the ${what} after ${attempts} attempt(s): ${reason}`);
        } else {
          result.retrying++;
          options.log.warn(`could not notify the ${what} (attempt ${attempts} of ${policy.attempts}, next in ${retryDelay(policy, attempts)} s): ${reason}`);
        }
      }
    }),
  );
  return result;
}
