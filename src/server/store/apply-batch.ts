// HistoryWriter.applyBatch: one transaction that merges a batch's groups, tasks, edges and
// workers, flags tasks lost with their worker, folds plan placeholders and counts newly finished
// tasks into the rollups. Round trips: BEGIN, the locking read, one statement with every write,
// COMMIT (plus one each for lost tasks and placeholders, when the batch has any).

import type { IngestBatch } from "../ingest/observation";
import { addRollups } from "./add-rollups";
import { BatchStatement } from "./batch-statement";
import { foldPlanned, type PlannedPair } from "./fold-planned";
import type { SqlDatabase } from "./sql-client";
import { writeEdges } from "./write-edges";
import { writeGroups } from "./write-groups";
import { mergeTasks, TASK_PRIMARY_KEY, writeTasks } from "./write-tasks";
import { markTasksLost, WORKERS_CTE, writeWorkers } from "./write-workers";

function plannedPairs(batch: IngestBatch): PlannedPair[] {
  return [...batch.tasks, ...batch.groups].flatMap((item) => (item.plannedId ? [{ planned: item.plannedId, real: item.id }] : []));
}

// Each retry sees every row committed meanwhile, so a retry can only lose to a writer still in flight.
const ATTEMPTS = 5;

/**
 * Whether PostgreSQL rolled the transaction back for a reason that running it again removes: a
 * deadlock or serialization failure (the later steps lock tasks by worker or root, not in id
 * order), or a concurrent writer creating one of our new tasks first.
 */
function retryable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === "40P01" || code === "40001" || (code === "23505" && constraint === TASK_PRIMARY_KEY);
}

/** Merges `batch` durably; `now` (epoch seconds) dates what no observation dates. */
export async function applyBatch(db: SqlDatabase, batch: IngestBatch, now = Date.now() / 1000): Promise<void> {
  if (batch.tasks.length + batch.workers.length + batch.groups.length + batch.edges.length === 0) return;
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyOnce(db, batch, now);
    } catch (error) {
      if (attempt >= ATTEMPTS || !retryable(error)) throw error;
    }
  }
}

async function applyOnce(db: SqlDatabase, batch: IngestBatch, now: number): Promise<void> {
  await db.transaction(async (tx) => {
    const tasks = await mergeTasks(tx, batch.tasks, now);
    const statement = new BatchStatement();
    writeGroups(statement, batch.groups);
    writeTasks(statement, tasks);
    writeEdges(statement, batch.edges);
    writeWorkers(statement, batch.workers);
    addRollups(statement, [...tasks.newlyReady, ...tasks.newRetries], now);
    if (statement.isEmpty) return;
    const offline = batch.workers.length > 0 ? `(SELECT COALESCE(json_agg(hostname), '[]') FROM ${WORKERS_CTE} WHERE status = 'offline')::text` : "'[]'";
    const [result] = await tx.query<{ offline: string }>(statement.text(`SELECT ${offline} AS offline`), ...statement.params);
    // After the statement, which the CTEs cannot see into: a task started and its worker lost in
    // the same batch is still flagged.
    const lost = JSON.parse(result?.offline ?? "[]") as string[];
    if (lost.length > 0) await markTasksLost(tx, lost);
    await foldPlanned(tx, plannedPairs(batch));
  });
}
