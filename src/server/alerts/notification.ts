// What every channel says about one alert event: the same facts, with the absolute link to the
// dashboard page showing the subject. The generic webhook sends this object as its JSON body.

import type { AlertEventRow } from "../store/index";
import { redactValue } from "../services/redact";

export interface AlertNotification {
  /** The payload's shape; bumped if a field changes meaning. */
  version: 1;
  status: "firing" | "resolved";
  rule: { id: string; name: string };
  severity: string;
  /** The task name, queue or worker ("" for cluster-wide kinds). */
  subject: string;
  value: number | null;
  message: string;
  /** ISO 8601. */
  at: string;
  /** The dashboard page to open. */
  url: string;
  eventId: string;
  /** Unique per delivery (retries of one delivery share it): receivers can drop repeats. */
  deliveryId: string;
}

/** The notification of `event`; `publicUrl` is the dashboard's address (CELERIAC_PUBLIC_URL). */
export function alertNotification(event: AlertEventRow, deliveryId: string, publicUrl: string, redactKeys: RegExp): AlertNotification {
  const notification: AlertNotification = {
    version: 1,
    status: event.kind === "resolved" ? "resolved" : "firing",
    rule: { id: event.ruleId, name: event.ruleName },
    severity: event.severity,
    subject: event.subject,
    value: event.value,
    message: event.message,
    at: new Date(event.at * 1000).toISOString(),
    url: new URL(event.link, publicUrl).toString(),
    eventId: event.id,
    deliveryId,
  };
  // Nothing here should be secret (messages are redacted when written); this is the last guard.
  return redactValue(notification, redactKeys) as AlertNotification;
}

/** "[FIRING] critical · payments failing · tasks.charge" */
export function notificationTitle(notification: AlertNotification): string {
  return [`[${notification.status.toUpperCase()}] ${notification.severity}`, notification.rule.name, notification.subject].filter(Boolean).join(" · ");
}
