// Notification deliveries waiting for their next attempt, and the outcome of each attempt.

import { type AlertDeliveryRow, type AlertEventRow, DELIVERY_COLUMNS, EVENT_COLUMNS } from "./alert-history";
import type { SqlClient } from "./sql-client";

/** A delivery due now, with the event it notifies. */
export interface DueDelivery {
  delivery: AlertDeliveryRow;
  event: AlertEventRow;
}

/** Pending deliveries whose next attempt is due at `now` (epoch seconds), oldest first. */
export async function dueDeliveries(sql: SqlClient, now: number, limit: number): Promise<DueDelivery[]> {
  const deliveries = await sql.query<AlertDeliveryRow>(
    `SELECT ${DELIVERY_COLUMNS} FROM alert_delivery d WHERE d.status = 'pending' AND d.next_attempt_at <= to_timestamp($1) ORDER BY d.next_attempt_at, d.id LIMIT $2`,
    now,
    limit,
  );
  if (deliveries.length === 0) return [];
  const events = await sql.query<AlertEventRow>(`SELECT ${EVENT_COLUMNS} FROM alert_event e WHERE e.id = ANY($1::bigint[])`, [...new Set(deliveries.map((delivery) => delivery.eventId))]);
  const byId = new Map(events.map((event) => [event.id, event]));
  return deliveries.flatMap((delivery) => {
    const event = byId.get(delivery.eventId);
    return event ? [{ delivery, event }] : [];
  });
}

/** One attempt's outcome, as the delivery row keeps it. */
export type DeliveryAttempt = Pick<AlertDeliveryRow, "status" | "attempts" | "nextAttemptAt" | "lastError" | "response" | "sentAt">;

/** Records an attempt's outcome. */
export async function recordDeliveryAttempt(sql: SqlClient, id: string, attempt: DeliveryAttempt): Promise<void> {
  await sql.execute(
    `UPDATE alert_delivery SET status = $2, attempts = $3, next_attempt_at = to_timestamp($4), last_error = $5, response = $6, sent_at = to_timestamp($7) WHERE id = $1::bigint`,
    id,
    attempt.status,
    attempt.attempts,
    attempt.nextAttemptAt,
    attempt.lastError,
    attempt.response,
    attempt.sentAt,
  );
}
