// A task row as the store's TypeScript sees it (times as epoch seconds, the timeline parsed), and
// the one table that maps each field to its column, so every SQL statement over the task table
// is generated from the same list instead of spelling ~35 columns out by hand.

import type { TimelineEvent } from "../ingest/observation";

/** One task as stored. Unknown fields are undefined (NULL in the database). */
export interface TaskRecord {
  id: string;
  name?: string;
  state: string;
  stateRank: number;
  stateAt?: number;
  clock?: number;
  rootId?: string;
  parentId?: string;
  groupId?: string;
  groupIndex?: number;
  argsJson?: string;
  kwargsJson?: string;
  argsRepr?: string;
  kwargsRepr?: string;
  result?: string;
  exception?: string;
  traceback?: string;
  retries?: number;
  worker?: string;
  queue?: string;
  exchange?: string;
  routingKey?: string;
  eta?: string;
  expires?: string;
  sentAt?: number;
  receivedAt?: number;
  startedAt?: number;
  finishedAt?: number;
  runtime?: number;
  messageJson?: string;
  possiblyLost: boolean;
  rolledUp: boolean;
  events: TimelineEvent[];
  /** Earliest lifecycle time known: the list's sort key. */
  firstAt: number;
  search?: string;
}

type ColumnKind = "text" | "int" | "bigint" | "float" | "time" | "bool" | "jsonb";

const COLUMNS: Readonly<Record<keyof TaskRecord, readonly [column: string, kind: ColumnKind]>> = {
  id: ["id", "text"],
  name: ["name", "text"],
  state: ["state", "text"],
  stateRank: ["state_rank", "int"],
  stateAt: ["state_at", "time"],
  clock: ["clock", "bigint"],
  rootId: ["root_id", "text"],
  parentId: ["parent_id", "text"],
  groupId: ["group_id", "text"],
  groupIndex: ["group_index", "int"],
  argsJson: ["args_json", "text"],
  kwargsJson: ["kwargs_json", "text"],
  argsRepr: ["args_repr", "text"],
  kwargsRepr: ["kwargs_repr", "text"],
  result: ["result", "text"],
  exception: ["exception", "text"],
  traceback: ["traceback", "text"],
  retries: ["retries", "int"],
  worker: ["worker", "text"],
  queue: ["queue", "text"],
  exchange: ["exchange", "text"],
  routingKey: ["routing_key", "text"],
  eta: ["eta", "text"],
  expires: ["expires", "text"],
  sentAt: ["sent_at", "time"],
  receivedAt: ["received_at", "time"],
  startedAt: ["started_at", "time"],
  finishedAt: ["finished_at", "time"],
  runtime: ["runtime", "float"],
  messageJson: ["message_json", "text"],
  possiblyLost: ["possibly_lost", "bool"],
  rolledUp: ["rolled_up", "bool"],
  events: ["events", "jsonb"],
  firstAt: ["first_at", "time"],
  search: ["search", "text"],
};

const FIELDS = Object.keys(COLUMNS) as (keyof TaskRecord)[];

// How each kind travels through JSON (jsonb_to_recordset) and back (SELECT).
const RECORDSET_TYPE: Record<ColumnKind, string> = { text: "text", int: "int4", bigint: "float8", float: "float8", time: "float8", bool: "bool", jsonb: "jsonb" };

function fromRecordset(field: keyof TaskRecord, alias: string): string {
  const [, kind] = COLUMNS[field];
  const value = `${alias}."${field}"`;
  if (kind === "time") return `to_timestamp(${value})`;
  if (kind === "bigint") return `${value}::bigint`;
  return value;
}

/** A SELECT list yielding TaskRecord-shaped rows from `task` aliased as `alias`. */
export function selectTaskColumns(alias: string, fields: readonly (keyof TaskRecord)[] = FIELDS): string {
  return fields
    .map((field) => {
      const [column, kind] = COLUMNS[field];
      const value = `${alias}.${column}`;
      if (kind === "time") return `extract(epoch from ${value})::float8 AS "${field}"`;
      if (kind === "bigint") return `${value}::float8 AS "${field}"`;
      return `${value} AS "${field}"`;
    })
    .join(", ");
}

/**
 * A json_build_object over `task` aliased as `alias`, NULLs stripped: many rows aggregated into one
 * JSON text travel far faster than as rows (PGlite decodes each value separately).
 */
export function jsonTaskObject(alias: string, fields: readonly (keyof TaskRecord)[]): string {
  const pairs = fields.map((field) => {
    const [column, kind] = COLUMNS[field];
    const value = `${alias}.${column}`;
    return `'${field}', ${kind === "time" ? `extract(epoch from ${value})::float8` : kind === "bigint" ? `${value}::float8` : value}`;
  });
  return `json_strip_nulls(json_build_object(${pairs.join(", ")}))`;
}

/** `jsonb_to_recordset($n::jsonb) AS alias(...)` over TaskRecord-shaped JSON objects. */
export function taskRecordset(parameter: string, alias: string): string {
  return `jsonb_to_recordset(${parameter}::jsonb) AS ${alias}(${FIELDS.map((field) => `"${field}" ${RECORDSET_TYPE[COLUMNS[field][1]]}`).join(", ")})`;
}

/** `col = <alias value>, …` for every column but the id: an UPDATE that writes whole records. */
export function assignTaskColumns(alias: string): string {
  return FIELDS.filter((field) => field !== "id")
    .map((field) => `${COLUMNS[field][0]} = ${fromRecordset(field, alias)}`)
    .join(", ");
}

/** `INSERT INTO task (…) SELECT … FROM <recordset alias>`: whole records as new rows. */
export function insertTaskColumns(alias: string): { columns: string; values: string } {
  return { columns: FIELDS.map((field) => COLUMNS[field][0]).join(", "), values: FIELDS.map((field) => fromRecordset(field, alias)).join(", ") };
}

/** Turns a SELECT row (NULLs) into a TaskRecord (undefined for unknown). */
export function taskFromRow(row: Record<string, unknown>): TaskRecord {
  const record: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (value !== null) record[key] = value;
  return record as unknown as TaskRecord;
}
