// Silences: notifications of a rule (or of every rule) for subjects matching a glob, held back
// from startsAt to endsAt. A snooze is a silence of a whole rule; ending one early keeps who did.

import type { SqlClient } from "./sql-client";

export interface AlertSilenceRow {
  id: string;
  /** null: every rule. */
  ruleId: string | null;
  subject: string;
  /** Epoch seconds. */
  startsAt: number;
  endsAt: number;
  createdBy: string;
  reason: string | null;
  expiredBy: string | null;
}

const COLUMNS = `id::text AS id, rule_id AS "ruleId", subject, extract(epoch from starts_at)::float8 AS "startsAt", extract(epoch from ends_at)::float8 AS "endsAt",
  created_by AS "createdBy", reason, expired_by AS "expiredBy"`;

/** Silences not over at `now` (epoch seconds), then up to `recentLimit` ended ones, newest first. */
export async function listSilences(sql: SqlClient, now: number, recentLimit = 0): Promise<AlertSilenceRow[]> {
  return sql.query<AlertSilenceRow>(
    `(SELECT ${COLUMNS} FROM alert_silence WHERE ends_at > to_timestamp($1) ORDER BY ends_at)
     UNION ALL
     (SELECT ${COLUMNS} FROM alert_silence WHERE ends_at <= to_timestamp($1) ORDER BY ends_at DESC LIMIT $2)`,
    now,
    recentLimit,
  );
}

export async function createSilence(sql: SqlClient, silence: { ruleId: string | null; subject: string; startsAt: number; endsAt: number; createdBy: string; reason: string | null }): Promise<AlertSilenceRow> {
  const [row] = await sql.query<AlertSilenceRow>(
    `INSERT INTO alert_silence (rule_id, subject, starts_at, ends_at, created_by, reason) VALUES ($1, $2, to_timestamp($3), to_timestamp($4), $5, $6) RETURNING ${COLUMNS}`,
    silence.ruleId,
    silence.subject,
    silence.startsAt,
    silence.endsAt,
    silence.createdBy,
    silence.reason,
  );
  return row!;
}

/** Ends a silence now; false when it is over already or does not exist. */
export async function expireSilence(sql: SqlClient, id: string, actor: string, now: number): Promise<boolean> {
  return (await sql.execute(`UPDATE alert_silence SET ends_at = to_timestamp($2), expired_by = $3 WHERE id = $1::bigint AND ends_at > to_timestamp($2)`, id, now, actor)) > 0;
}
