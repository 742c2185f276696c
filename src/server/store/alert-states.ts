// The open alerts: one row per rule and subject that is pending, firing or resolving. An
// evaluation writes its state changes, the history events they cause and those events'
// deliveries in one transaction, so a crash never leaves a firing without its notifications
// queued (or queued twice).

import type { AlertStatus } from "../alerts/hysteresis";
import type { AlertEventRow } from "./alert-history";
import type { SqlClient, SqlDatabase } from "./sql-client";

export interface AlertStateRow {
  ruleId: string;
  subject: string;
  status: AlertStatus;
  value: number;
  /** Epoch seconds. */
  since: number;
  firedAt: number | null;
  notified: boolean;
  link: string;
  evaluatedAt: number;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  acknowledgeNote: string | null;
}

/** A state as the evaluator writes it (acknowledgement is kept from the row, cleared on resolve). */
export type AlertStateWrite = Omit<AlertStateRow, "acknowledgedBy" | "acknowledgedAt" | "acknowledgeNote">;

/** A history event to record, with the channels to notify of it (none: not notified). */
export type NewAlertEvent = Omit<AlertEventRow, "id" | "actor" | "silencedBy"> & {
  actor?: string | null;
  silencedBy?: string | null;
  channels: { name: string; type: string }[];
};

export interface Evaluation {
  upserts: AlertStateWrite[];
  deletes: { ruleId: string; subject: string }[];
  events: NewAlertEvent[];
}

const STATE_COLUMNS = `rule_id AS "ruleId", subject, status, value, extract(epoch from since)::float8 AS since,
  extract(epoch from fired_at)::float8 AS "firedAt", notified, link, extract(epoch from evaluated_at)::float8 AS "evaluatedAt",
  acknowledged_by AS "acknowledgedBy", extract(epoch from acknowledged_at)::float8 AS "acknowledgedAt", acknowledge_note AS "acknowledgeNote"`;

export async function listStates(sql: SqlClient): Promise<AlertStateRow[]> {
  return sql.query<AlertStateRow>(`SELECT ${STATE_COLUMNS} FROM alert_state ORDER BY rule_id, subject`);
}

/** Records events and queues one pending delivery per channel of each (transitions are few: one statement pair each). */
export async function insertEvents(tx: SqlClient, events: readonly NewAlertEvent[]): Promise<void> {
  for (const event of events) {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO alert_event (at, rule_id, rule_name, subject, severity, kind, value, message, link, actor, silenced_by)
       VALUES (to_timestamp($1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id::text AS id`,
      event.at,
      event.ruleId,
      event.ruleName,
      event.subject,
      event.severity,
      event.kind,
      event.value,
      event.message,
      event.link,
      event.actor ?? null,
      event.silencedBy ?? null,
    );
    if (event.channels.length === 0) continue;
    await tx.execute(
      `INSERT INTO alert_delivery (event_id, channel, type, status, next_attempt_at)
       SELECT $1::bigint, c.name, c.type, 'pending', to_timestamp($3) FROM jsonb_to_recordset($2::jsonb) AS c(name text, type text)`,
      row!.id,
      JSON.stringify(event.channels),
      event.at,
    );
  }
}

/** Applies one evaluation atomically. */
export async function saveEvaluation(db: SqlDatabase, evaluation: Evaluation): Promise<void> {
  await db.transaction(async (tx) => {
    if (evaluation.upserts.length > 0) {
      await tx.execute(
        `INSERT INTO alert_state AS s (rule_id, subject, status, value, since, fired_at, notified, link, evaluated_at)
         SELECT x."ruleId", x.subject, x.status, x.value, to_timestamp(x.since), to_timestamp(x."firedAt"), x.notified, x.link, to_timestamp(x."evaluatedAt")
         FROM jsonb_to_recordset($1::jsonb) AS x("ruleId" text, subject text, status text, value float8, since float8, "firedAt" float8, notified boolean, link text, "evaluatedAt" float8)
         ORDER BY 1, 2
         ON CONFLICT (rule_id, subject) DO UPDATE SET status = excluded.status, value = excluded.value, since = excluded.since, fired_at = excluded.fired_at,
           notified = excluded.notified, link = excluded.link, evaluated_at = excluded.evaluated_at,
           acknowledged_by = CASE WHEN excluded.status = 'pending' THEN NULL ELSE s.acknowledged_by END,
           acknowledged_at = CASE WHEN excluded.status = 'pending' THEN NULL ELSE s.acknowledged_at END,
           acknowledge_note = CASE WHEN excluded.status = 'pending' THEN NULL ELSE s.acknowledge_note END`,
        JSON.stringify(evaluation.upserts),
      );
    }
    if (evaluation.deletes.length > 0) {
      await tx.execute(
        `DELETE FROM alert_state s USING jsonb_to_recordset($1::jsonb) AS x("ruleId" text, subject text) WHERE s.rule_id = x."ruleId" AND s.subject = x.subject`,
        JSON.stringify(evaluation.deletes),
      );
    }
    await insertEvents(tx, evaluation.events);
  });
}

/**
 * Records who acknowledged a firing alert (and their note) on it and in the history. False when
 * the alert is not firing (resolved meanwhile, or only pending).
 */
export async function acknowledgeAlert(db: SqlDatabase, alert: { ruleId: string; subject: string }, actor: string, note: string | null, at: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx.query<{ name: string; severity: string; value: number; link: string }>(
      `UPDATE alert_state s SET acknowledged_by = $3, acknowledged_at = to_timestamp($5), acknowledge_note = $4
       FROM alert_rule r WHERE r.id = s.rule_id AND s.rule_id = $1 AND s.subject = $2 AND s.status IN ('firing', 'resolving')
       RETURNING r.name, r.severity, s.value, s.link`,
      alert.ruleId,
      alert.subject,
      actor,
      note,
      at,
    );
    if (!row) return false;
    await insertEvents(tx, [{ at, ruleId: alert.ruleId, ruleName: row.name, subject: alert.subject, severity: row.severity, kind: "acknowledged", value: row.value, message: note ?? "acknowledged", link: row.link, actor, channels: [] }]);
    return true;
  });
}

/**
 * Closes the open alerts of rules about to disappear (deleted, or gone from the rules file): each
 * firing one gets a resolved event saying why, without notification; then the rows go.
 */
export async function closeStates(tx: SqlClient, ruleIds: readonly string[], why: string): Promise<void> {
  if (ruleIds.length === 0) return;
  await tx.execute(
    `INSERT INTO alert_event (at, rule_id, rule_name, subject, severity, kind, value, message, link)
     SELECT now(), s.rule_id, r.name, s.subject, r.severity, 'resolved', s.value, $2, s.link
     FROM alert_state s JOIN alert_rule r ON r.id = s.rule_id WHERE s.rule_id = ANY($1::text[]) AND s.status <> 'pending'`,
    ruleIds,
    why,
  );
  await tx.execute(`DELETE FROM alert_state WHERE rule_id = ANY($1::text[])`, ruleIds);
}
