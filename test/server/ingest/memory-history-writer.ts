// A HistoryWriter test double: merges batches in memory with the rules the store follows (state
// precedence with Celery's RETRY exception, undefined never clears) and can fail or stall on demand,
// so the ingestor's batching, retry and ack behaviour can be checked without the real store.

import { outranks, RETRY } from "../../../src/celery/index";
import type { HistoryWriter, IngestBatch, QueueSample, TaskObservation, TimelineEvent, WorkerObservation } from "../../../src/server/ingest/observation";

export interface StoredTask extends Omit<TaskObservation, "event"> {
  timeline: TimelineEvent[];
}

export class MemoryHistoryWriter implements HistoryWriter {
  readonly tasks = new Map<string, StoredTask>();
  readonly workers = new Map<string, WorkerObservation>();
  readonly edges = new Set<string>();
  readonly batches: IngestBatch[] = [];
  /** While set, applyBatch rejects with it (a simulated database outage). */
  down: Error | null = null;
  /** While set, applyBatch waits for it before applying (a slow database). */
  gate: Promise<void> | null = null;
  failedAttempts = 0;

  async applyBatch(batch: IngestBatch): Promise<void> {
    if (this.gate) await this.gate;
    if (this.down) {
      this.failedAttempts += 1;
      throw this.down;
    }
    this.batches.push(structuredClone(batch));
    for (const observation of batch.tasks) this.applyTask(observation);
    for (const worker of batch.workers) {
      const known = this.workers.get(worker.hostname);
      this.workers.set(worker.hostname, known && known.at > worker.at ? { ...worker, ...known } : { ...known, ...worker });
    }
    for (const edge of batch.edges) this.edges.add(`${edge.kind} ${edge.fromId} -> ${edge.toId} (root ${edge.rootId})`);
  }

  async recordQueueSamples(_samples: QueueSample[]): Promise<void> {}

  /** Events written so far, over every task's timeline. */
  get timelineEvents(): number {
    let count = 0;
    for (const task of this.tasks.values()) count += task.timeline.length;
    return count;
  }

  // ClusterState's rule (WIRE.md §6.4): a weaker state never moves the current one, RETRY excepted.
  private applyTask(observation: TaskObservation): void {
    const { event, ...fields } = observation;
    const known = this.tasks.get(observation.id);
    const stored: StoredTask = known ?? { id: observation.id, source: observation.source, timeline: [] };
    const late = fields.state !== undefined && stored.state !== undefined && fields.state !== RETRY && stored.state !== RETRY && outranks(stored.state, fields.state);
    const { state, stateAt, clock } = stored;
    Object.assign(stored, fields);
    if (late || fields.state === undefined) Object.assign(stored, { state, stateAt, clock });
    if (event) stored.timeline.push(event);
    this.tasks.set(stored.id, stored);
  }
}
