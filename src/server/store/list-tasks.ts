// The task list: filters, time order and keyset pagination, so page N costs what page 1 costs on
// millions of rows. Text search uses the pg_trgm index on task.search (PGlite ships pg_trgm too).

import { z } from "zod";
import type { SqlClient } from "./sql-client";
import { selectTaskColumns, type TaskRecord, taskFromRow } from "./task-record";

const epochSeconds = z.number().finite();

/** Input of listTasks, for routers to validate with. */
export const listTasksQuery = z.object({
  name: z.string().min(1).optional(),
  state: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  worker: z.string().min(1).optional(),
  queue: z.string().min(1).optional(),
  rootId: z.string().min(1).optional(),
  /** Epoch seconds bounds on the task's first known time, inclusive from, exclusive to. */
  from: epochSeconds.optional(),
  to: epochSeconds.optional(),
  /** Case-insensitive substring of args, kwargs, result or exception. */
  text: z.string().min(1).max(200).optional(),
  order: z.enum(["newest", "oldest"]).default("newest"),
  limit: z.number().int().min(1).max(500).default(50),
  /** `nextCursor` of the previous page. */
  cursor: z.string().optional(),
});

export type ListTasksQuery = z.input<typeof listTasksQuery>;

const SUMMARY_FIELDS = [
  "id", "name", "state", "worker", "queue", "rootId", "parentId", "groupId", "retries", "sentAt", "receivedAt", "startedAt",
  "finishedAt", "runtime", "possiblyLost", "firstAt", "exception",
] as const satisfies readonly (keyof TaskRecord)[];

/** One row of the task list. */
export type TaskSummary = Pick<TaskRecord, (typeof SUMMARY_FIELDS)[number]> & { argsPreview?: string };

export interface TaskPage {
  tasks: TaskSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

const PREVIEW_CHARS = 200;

function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString("base64url");
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === "string")) return value as [string, string];
  } catch {
    // fall through to the error below
  }
  throw new Error(`Invalid task list cursor ${JSON.stringify(cursor)}: pass the nextCursor of a previous page, or none for the first page.`);
}

/** A page of tasks matching the query, newest (or oldest) first by first known time, then id. */
export async function listTasks(sql: SqlClient, input: ListTasksQuery): Promise<TaskPage> {
  const query = listTasksQuery.parse(input);
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.name) where.push(`t.name = ${param(query.name)}`);
  if (query.state) {
    const states = Array.isArray(query.state) ? query.state : [query.state];
    // One state as `=`: the planner then walks (state, first_at) in order and stops at the page;
    // with `= ANY` it collects every matching row and sorts them.
    where.push(states.length === 1 ? `t.state = ${param(states[0])}` : `t.state = ANY(${param(states)}::text[])`);
  }
  if (query.worker) where.push(`t.worker = ${param(query.worker)}`);
  if (query.queue) where.push(`t.queue = ${param(query.queue)}`);
  if (query.rootId) where.push(`t.root_id = ${param(query.rootId)}`);
  if (query.from !== undefined) where.push(`t.first_at >= to_timestamp(${param(query.from)}::float8)`);
  if (query.to !== undefined) where.push(`t.first_at < to_timestamp(${param(query.to)}::float8)`);
  if (query.text) where.push(`t.search ILIKE ${param(`%${query.text.replace(/[\\%_]/g, "\\$&")}%`)}`);
  const descending = query.order === "newest";
  if (query.cursor) {
    const [at, id] = decodeCursor(query.cursor);
    where.push(`(t.first_at, t.id) ${descending ? "<" : ">"} (${param(at)}::timestamptz, ${param(id)})`);
  }
  const direction = descending ? "DESC" : "ASC";
  const rows = await sql.query<Record<string, unknown>>(
    `SELECT ${selectTaskColumns("t", SUMMARY_FIELDS)}, left(COALESCE(t.args_json, t.args_repr), ${PREVIEW_CHARS}) AS "argsPreview", t.first_at::text AS "cursorAt"
     FROM task t ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY t.first_at ${direction}, t.id ${direction}
     LIMIT ${query.limit + 1}`,
    ...params,
  );
  const more = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    tasks: page.map(({ cursorAt: _cursorAt, ...row }) => taskFromRow(row) as TaskSummary),
    nextCursor: more && last ? encodeCursor(last.cursorAt as string, last.id as string) : null,
  };
}
