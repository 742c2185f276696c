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

/** Merges `batch` durably; `now` (epoch seconds) dates what no observation dates. */
export async function applyBatch(db: SqlDatabase, batch: IngestBatch, now = Date.now() / 1000): Promise<void> {
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
