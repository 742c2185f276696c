// The alert history: firings, resolutions and acknowledgements, newest first, each with its
// notifications' deliveries (sent, failed and why, attempts), for the alerts page.

import type { SqlClient } from "./sql-client";

export interface AlertDeliveryRow {
  id: string;
  eventId: string;
  channel: string;
  type: string;
  status: "pending" | "sent" | "failed";
  attempts: number;
  /** Epoch seconds. */
  nextAttemptAt: number | null;
  lastError: string | null;
  response: string | null;
  sentAt: number | null;
}

export interface AlertEventRow {
  id: string;
  /** Epoch seconds. */
  at: number;
  ruleId: string;
  ruleName: string;
  subject: string;
  severity: string;
  kind: "firing" | "resolved" | "acknowledged";
  value: number | null;
  message: string;
  link: string;
  actor: string | null;
  silencedBy: string | null;
}

export const EVENT_COLUMNS = `e.id::text AS id, extract(epoch from e.at)::float8 AS at, e.rule_id AS "ruleId", e.rule_name AS "ruleName", e.subject,
  e.severity, e.kind, e.value, e.message, e.link, e.actor, e.silenced_by AS "silencedBy"`;

export const DELIVERY_COLUMNS = `d.id::text AS id, d.event_id::text AS "eventId", d.channel, d.type, d.status, d.attempts,
  extract(epoch from d.next_attempt_at)::float8 AS "nextAttemptAt", d.last_error AS "lastError", d.response, extract(epoch from d.sent_at)::float8 AS "sentAt"`;

/** Events newest first (`before`: an event id, for the next page), each with its deliveries. */
export async function listAlertEvents(sql: SqlClient, options: { limit: number; before?: string; ruleId?: string }): Promise<(AlertEventRow & { deliveries: AlertDeliveryRow[] })[]> {
  const events = await sql.query<AlertEventRow>(
    `SELECT ${EVENT_COLUMNS} FROM alert_event e
     WHERE ($2::bigint IS NULL OR e.id < $2::bigint) AND ($3::text IS NULL OR e.rule_id = $3)
     ORDER BY e.id DESC LIMIT $1`,
    options.limit,
    options.before ?? null,
    options.ruleId ?? null,
  );
  if (events.length === 0) return [];
  const deliveries = await sql.query<AlertDeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM alert_delivery d WHERE d.event_id = ANY($1::bigint[]) ORDER BY d.id`, events.map((event) => event.id));
  return events.map((event) => ({ ...event, deliveries: deliveries.filter((delivery) => delivery.eventId === event.id) }));
}
