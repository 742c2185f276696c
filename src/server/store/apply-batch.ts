// HistoryWriter.applyBatch: one transaction that merges a batch's groups, tasks, edges and
// workers, folds plan placeholders and counts newly finished tasks into the rollups.

import type { IngestBatch } from "../ingest/observation";
import { addRollups } from "./add-rollups";
import { foldPlanned, type PlannedPair } from "./fold-planned";
import type { SqlDatabase } from "./sql-client";
import { writeEdges } from "./write-edges";
import { writeGroups } from "./write-groups";
import { writeTasks } from "./write-tasks";
import { writeWorkers } from "./write-workers";

function plannedPairs(batch: IngestBatch): PlannedPair[] {
  return [...batch.tasks, ...batch.groups].flatMap((item) => (item.plannedId ? [{ planned: item.plannedId, real: item.id }] : []));
}

// Deadlock detected, serialization failure: PostgreSQL rolled the transaction back; run it again.
const RETRYABLE = new Set(["40P01", "40001"]);
const ATTEMPTS = 3;

function retryable(error: unknown): boolean {
  return typeof error === "object" && error !== null && RETRYABLE.has((error as { code?: unknown }).code as string);
}

/**
 * Merges `batch` durably; `now` (epoch seconds) dates what no observation dates. Rows are locked
 * in id order, but the later steps (lost-task flags, plan folding) lock tasks by worker or root,
 * so two writers can still deadlock: the loser is simply run again.
 */
export async function applyBatch(db: SqlDatabase, batch: IngestBatch, now = Date.now() / 1000): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyOnce(db, batch, now);
    } catch (error) {
      if (attempt >= ATTEMPTS || !retryable(error)) throw error;
    }
  }
}

async function applyOnce(db: SqlDatabase, batch: IngestBatch, now: number): Promise<void> {
  if (batch.tasks.length + batch.workers.length + batch.groups.length + batch.edges.length === 0) return;
  await db.transaction(async (tx) => {
    await writeGroups(tx, batch.groups);
    const finished = await writeTasks(tx, batch.tasks, now);
    await writeEdges(tx, batch.edges);
    await foldPlanned(tx, plannedPairs(batch));
    // After the tasks: a task started and its worker lost in the same batch is still flagged.
    await writeWorkers(tx, batch.workers);
    await addRollups(tx, finished, now);
  });
}
