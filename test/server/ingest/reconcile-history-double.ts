// A HistoryReader + HistoryWriter test double for the reconciler: tasks merged with Celery's state
// precedence (undefined never clears), the time each was last touched, and the roots to report,
// so a test can seed what the store would know (sent ids, roots) and read back what it learnt.

import { outranks, READY_STATES } from "../../../src/celery/index";
import type { GroupObservation, HistoryReader, HistoryWriter, IngestBatch, QueueSample, TaskObservation, WorkflowEdge } from "../../../src/server/ingest/observation";

export class ReconcileHistoryDouble implements HistoryReader, HistoryWriter {
  readonly tasks = new Map<string, Omit<TaskObservation, "source" | "event">>();
  readonly groups = new Map<string, GroupObservation>();
  readonly edges: WorkflowEdge[] = [];
  readonly samples: QueueSample[] = [];
  readonly batches: IngestBatch[] = [];
  /** Roots recentRootIds reports. */
  roots: string[] = [];
  /** While set, applyBatch and recordQueueSamples reject with it. */
  down: Error | null = null;
  private readonly touched = new Map<string, number>();

  /** What the store would know before reconciliation, last touched at `at` (epoch seconds). */
  seed(id: string, fields: Partial<TaskObservation> = {}, at = Date.now() / 1000 - 3_600): void {
    this.tasks.set(id, { state: "PENDING", ...fields, id });
    this.touched.set(id, at);
  }

  async applyBatch(batch: IngestBatch): Promise<void> {
    if (this.down) throw this.down;
    this.batches.push(batch);
    const now = Date.now() / 1000;
    for (const { source: _source, event: _event, ...observation } of batch.tasks) {
      const known = this.tasks.get(observation.id);
      const defined = Object.fromEntries(Object.entries(observation).filter(([, value]) => value !== undefined));
      const merged = { ...known, ...defined, id: observation.id };
      if (known?.state && observation.state && outranks(known.state, observation.state)) Object.assign(merged, { state: known.state, stateAt: known.stateAt });
      this.tasks.set(observation.id, merged);
      this.touched.set(observation.id, now);
    }
    for (const group of batch.groups) this.groups.set(group.id, { ...this.groups.get(group.id), ...group });
    this.edges.push(...batch.edges);
  }

  async recordQueueSamples(samples: QueueSample[]): Promise<void> {
    if (this.down) throw this.down;
    this.samples.push(...samples);
  }

  async unfinishedTaskIds({ olderThan, limit }: { olderThan: number; limit: number }): Promise<string[]> {
    return [...this.tasks.values()]
      .filter((task) => !READY_STATES.has(task.state ?? "PENDING") && (this.touched.get(task.id) ?? 0) < olderThan)
      .sort((a, b) => this.touched.get(a.id)! - this.touched.get(b.id)!)
      .slice(0, limit)
      .map((task) => task.id);
  }

  async unknownTaskIds(ids: readonly string[]): Promise<string[]> {
    return ids.filter((id) => !this.tasks.has(id));
  }

  async recentRootIds({ limit }: { since: number; limit: number }): Promise<string[]> {
    return this.roots.slice(0, limit);
  }

  /** Ids by state, for compact assertions. */
  countByState(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const task of this.tasks.values()) counts[task.state ?? "unknown"] = (counts[task.state ?? "unknown"] ?? 0) + 1;
    return counts;
  }
}
