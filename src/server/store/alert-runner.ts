// The alert evaluator's lease: several processes may run against one store (dashboards, `celeriac
// ingest`), and exactly one evaluates and notifies at a time. The holder renews it every run; a
// holder that stops renewing loses it when it expires. The row also says how the last run went.

import type { SqlClient } from "./sql-client";

const EVALUATOR = "evaluator";

export interface AlertRunnerStatus {
  holder: string;
  /** Epoch seconds. */
  expiresAt: number;
  lastRunAt: number | null;
  lastError: string | null;
  rulesFile: string | null;
  rulesFileLoadedAt: number | null;
  rulesFileError: string | null;
}

/** Takes or renews the lease for `ttlSeconds`; false while another holder's lease runs. */
export async function acquireLease(sql: SqlClient, holder: string, now: number, ttlSeconds: number): Promise<boolean> {
  const taken = await sql.execute(
    `INSERT INTO alert_runner AS r (name, holder, expires_at) VALUES ($1, $2, to_timestamp($3))
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
     WHERE r.holder = excluded.holder OR r.expires_at <= to_timestamp($4)`,
    EVALUATOR,
    holder,
    now + ttlSeconds,
    now,
  );
  return taken > 0;
}

/** Lets the lease go (on stop), so another process takes over at once. */
export async function releaseLease(sql: SqlClient, holder: string): Promise<void> {
  await sql.execute(`UPDATE alert_runner SET expires_at = now() - interval '1 second' WHERE name = $1 AND holder = $2`, EVALUATOR, holder);
}

/** Records the holder's last run and what it made of the rules file. */
export async function reportRun(sql: SqlClient, holder: string, report: { at: number; error: string | null; rulesFile: string | null; rulesFileLoadedAt: number | null; rulesFileError: string | null }): Promise<void> {
  await sql.execute(
    `UPDATE alert_runner SET last_run_at = to_timestamp($3), last_error = $4, rules_file = $5, rules_file_loaded_at = to_timestamp($6), rules_file_error = $7
     WHERE name = $1 AND holder = $2`,
    EVALUATOR,
    holder,
    report.at,
    report.error,
    report.rulesFile,
    report.rulesFileLoadedAt,
    report.rulesFileError,
  );
}

export async function runnerStatus(sql: SqlClient): Promise<AlertRunnerStatus | null> {
  const [row] = await sql.query<AlertRunnerStatus>(
    `SELECT holder, extract(epoch from expires_at)::float8 AS "expiresAt", extract(epoch from last_run_at)::float8 AS "lastRunAt", last_error AS "lastError",
       rules_file AS "rulesFile", extract(epoch from rules_file_loaded_at)::float8 AS "rulesFileLoadedAt", rules_file_error AS "rulesFileError"
     FROM alert_runner WHERE name = $1`,
    EVALUATOR,
  );
  return row ?? null;
}
