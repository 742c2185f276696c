// One task with its timeline, for the task page.

import type { SqlClient } from "./sql-client";
import { selectTaskColumns, type TaskRecord, taskFromRow } from "./task-record";

/** A stored task as readers see it: its record without the store's bookkeeping, plus store times. */
export type TaskDetail = Omit<TaskRecord, "search" | "rolledUp"> & { createdAt: number; updatedAt: number };

const DETAIL_FIELDS = [
  "id", "name", "state", "stateRank", "stateAt", "clock", "rootId", "parentId", "groupId", "groupIndex", "argsJson", "kwargsJson",
  "argsRepr", "kwargsRepr", "result", "exception", "traceback", "retries", "worker", "queue", "exchange", "routingKey", "eta",
  "expires", "sentAt", "receivedAt", "startedAt", "finishedAt", "runtime", "messageJson", "possiblyLost", "events", "firstAt",
] as const satisfies readonly (keyof TaskRecord)[];

/** The task, or null when the store has never heard of it. */
export async function getTask(sql: SqlClient, id: string): Promise<TaskDetail | null> {
  const [row] = await sql.query<Record<string, unknown>>(
    `SELECT ${selectTaskColumns("t", DETAIL_FIELDS)}, extract(epoch from t.created_at)::float8 AS "createdAt", extract(epoch from t.updated_at)::float8 AS "updatedAt"
     FROM task t WHERE t.id = $1`,
    id,
  );
  return row ? (taskFromRow(row) as unknown as TaskDetail) : null;
}
