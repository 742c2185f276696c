// Alert rules: those edited on the admin page (source store) and those read from the rules file
// (source file), which a file sync replaces as a whole. Names are unique across both.

import { randomUUID } from "node:crypto";
import type { AlertRule, AlertRuleSpec } from "../alerts/alert-rule";
import { closeStates } from "./alert-states";
import type { SqlClient, SqlDatabase } from "./sql-client";

const COLUMNS = `id, name, source, kind, selector, window_seconds AS "windowSeconds", fire_threshold AS "fireThreshold",
  resolve_threshold AS "resolveThreshold", for_seconds AS "forSeconds", resolve_for_seconds AS "resolveForSeconds",
  min_count AS "minCount", severity, environment, channels, enabled, description, updated_by AS "updatedBy",
  extract(epoch from updated_at)::float8 AS "updatedAt"`;

type RuleRow = Omit<AlertRule, "description"> & { description: string | null };

function toRule(row: RuleRow): AlertRule {
  const { description, ...rest } = row;
  return { ...rest, ...(description !== null ? { description } : {}) };
}

/** The values of a rule in column order $2..$16 (after the id). */
function ruleValues(spec: AlertRuleSpec, source: AlertRule["source"], actor: string | null): unknown[] {
  return [
    spec.name,
    source,
    spec.kind,
    spec.selector,
    spec.windowSeconds,
    spec.fireThreshold,
    spec.resolveThreshold,
    spec.forSeconds,
    spec.resolveForSeconds,
    spec.minCount,
    spec.severity,
    spec.environment,
    spec.channels,
    spec.enabled,
    spec.description ?? null,
    actor,
  ];
}

const INSERT = `INSERT INTO alert_rule (id, name, source, kind, selector, window_seconds, fire_threshold, resolve_threshold, for_seconds,
  resolve_for_seconds, min_count, severity, environment, channels, enabled, description, updated_by)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::text[], $15, $16, $17)`;

export async function listRules(sql: SqlClient): Promise<AlertRule[]> {
  return (await sql.query<RuleRow>(`SELECT ${COLUMNS} FROM alert_rule ORDER BY name`)).map(toRule);
}

export async function getRule(sql: SqlClient, id: string): Promise<AlertRule | null> {
  const [row] = await sql.query<RuleRow>(`SELECT ${COLUMNS} FROM alert_rule WHERE id = $1`, id);
  return row ? toRule(row) : null;
}

/** Creates a store rule; resolves to null when the name is taken. */
export async function createRule(sql: SqlClient, spec: AlertRuleSpec, actor: string): Promise<AlertRule | null> {
  const id = randomUUID();
  const inserted = await sql.execute(`${INSERT} ON CONFLICT (name) DO NOTHING`, id, ...ruleValues(spec, "store", actor));
  return inserted === 0 ? null : getRule(sql, id);
}

/**
 * Replaces a store rule's definition. Resolves to "missing" when there is no such store rule and
 * to "name-taken" when another rule has the new name.
 */
export async function updateRule(sql: SqlClient, id: string, spec: AlertRuleSpec, actor: string): Promise<AlertRule | "missing" | "name-taken"> {
  const [clash] = await sql.query(`SELECT 1 FROM alert_rule WHERE name = $1 AND id <> $2`, spec.name, id);
  if (clash) return "name-taken";
  const updated = await sql.execute(
    `UPDATE alert_rule SET name = $2, kind = $4, selector = $5, window_seconds = $6, fire_threshold = $7, resolve_threshold = $8, for_seconds = $9,
       resolve_for_seconds = $10, min_count = $11, severity = $12, environment = $13, channels = $14::text[], enabled = $15, description = $16,
       updated_by = $17, updated_at = now()
     WHERE id = $1 AND source = $3`,
    id,
    ...ruleValues(spec, "store", actor),
  );
  return updated === 0 ? "missing" : ((await getRule(sql, id)) ?? "missing");
}

/** Deletes a store rule, closing its open alerts; false when there is no such store rule. */
export async function deleteRule(db: SqlDatabase, id: string, actor: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [rule] = await tx.query(`SELECT 1 FROM alert_rule WHERE id = $1 AND source = 'store' FOR UPDATE`, id);
    if (!rule) return false;
    await closeStates(tx, [id], `the rule was deleted by ${actor}`);
    await tx.execute(`DELETE FROM alert_rule WHERE id = $1`, id);
    return true;
  });
}

/**
 * Makes the file rules exactly `specs`: new names inserted, changed ones updated in place (their
 * open alerts stay open), missing ones deleted. A name already used by a store rule is skipped
 * and reported.
 */
export async function replaceFileRules(db: SqlDatabase, specs: readonly AlertRuleSpec[]): Promise<{ skipped: string[] }> {
  return db.transaction(async (tx) => {
    const existing = new Map((await tx.query<{ id: string; name: string; source: string }>(`SELECT id, name, source FROM alert_rule`)).map((row) => [row.name, row]));
    const skipped: string[] = [];
    const keep = new Set<string>();
    for (const spec of specs) {
      const current = existing.get(spec.name);
      if (current && current.source !== "file") {
        skipped.push(spec.name);
        continue;
      }
      // The id of a file rule is derived from its name, so history and open alerts follow it across restarts.
      const id = current?.id ?? `file:${spec.name}`;
      keep.add(id);
      await tx.execute(
        `${INSERT} ON CONFLICT (id) DO UPDATE SET kind = $4, selector = $5, window_seconds = $6, fire_threshold = $7, resolve_threshold = $8,
           for_seconds = $9, resolve_for_seconds = $10, min_count = $11, severity = $12, environment = $13, channels = $14::text[], enabled = $15,
           description = $16, updated_at = CASE WHEN (alert_rule.kind, alert_rule.selector, alert_rule.window_seconds, alert_rule.fire_threshold,
             alert_rule.resolve_threshold, alert_rule.for_seconds, alert_rule.resolve_for_seconds, alert_rule.min_count, alert_rule.severity,
             alert_rule.environment, alert_rule.channels, alert_rule.enabled, alert_rule.description)
             IS NOT DISTINCT FROM ($4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::text[], $15, $16) THEN alert_rule.updated_at ELSE now() END`,
        id,
        ...ruleValues(spec, "file", null),
      );
    }
    const gone = [...existing.values()].filter((row) => row.source === "file" && !keep.has(row.id)).map((row) => row.id);
    if (gone.length > 0) {
      await closeStates(tx, gone, "the rule was removed from the rules file");
      await tx.execute(`DELETE FROM alert_rule WHERE id = ANY($1::text[])`, gone);
    }
    return { skipped };
  });
}
