// Writes a batch so that one observation the store refuses cannot hold back the others: when the
// store refuses the data itself (not its connection), the batch is split in halves, each written on
// its own, down to the single observations it really refuses, which are handed back with the
// store's reason. A batch of n observations with one bad one costs about 2·log2(n) writes, once.

import { AppError, reasonOf } from "../app-error";
import type { GroupObservation, HistoryWriter, IngestBatch, TaskObservation, WorkerObservation, WorkflowEdge } from "./observation";

type Item = { task: TaskObservation } | { worker: WorkerObservation } | { group: GroupObservation } | { edge: WorkflowEdge };

/**
 * Whether the store refused the values themselves: the store says so with AppError BAD_INPUT
 * (StoreRejected), and an encoding failure in this process (a RangeError or TypeError while the
 * batch is turned into SQL) fails the same way every time. Anything else may pass on a retry.
 */
export function refusesData(error: unknown): boolean {
  return (error instanceof AppError && error.code === "BAD_INPUT") || error instanceof RangeError || error instanceof TypeError;
}

function items(batch: IngestBatch): Item[] {
  return [
    ...batch.groups.map((group) => ({ group })),
    ...batch.tasks.map((task) => ({ task })),
    ...batch.edges.map((edge) => ({ edge })),
    ...batch.workers.map((worker) => ({ worker })),
  ];
}

function batchOf(part: Item[]): IngestBatch {
  const batch: IngestBatch = { tasks: [], workers: [], groups: [], edges: [] };
  for (const item of part) {
    if ("task" in item) batch.tasks.push(item.task);
    else if ("worker" in item) batch.workers.push(item.worker);
    else if ("group" in item) batch.groups.push(item.group);
    else batch.edges.push(item.edge);
  }
  return batch;
}

/**
 * Applies `batch`; what the store refuses goes to `onRefused` (one observation per call, with the
 * reason) and the rest is written. A connection failure, or any error that is not a refusal of the
 * data, rejects as from applyBatch: the caller retries the whole batch later. Halves are written in
 * order, so observations of one task keep their order.
 */
export async function applyIsolating(writer: HistoryWriter, batch: IngestBatch, onRefused: (refused: IngestBatch, reason: string) => void): Promise<void> {
  try {
    await writer.applyBatch(batch);
  } catch (error) {
    if (!refusesData(error)) throw error;
    const all = items(batch);
    if (all.length <= 1) {
      onRefused(batch, reasonOf(error));
      return;
    }
    const middle = all.length >> 1;
    await applyIsolating(writer, batchOf(all.slice(0, middle)), onRefused);
    await applyIsolating(writer, batchOf(all.slice(middle)), onRefused);
  }
}
