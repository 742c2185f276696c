// The reconciler's pending write: backend observations merged per task and per group, edges
// deduplicated, so a task named by its parent's `children` and read from its own document is
// written once.

import { outranks } from "../../celery/index";
import type { BackendObservations } from "./backend-observations";
import type { GroupObservation, IngestBatch, TaskObservation, WorkflowEdge } from "./observation";

// Later defined fields win; the state (with its time) only moves up Celery's precedence, so the
// PENDING a tuple implies never hides the SUCCESS the task's own document reports.
function mergeTask(into: TaskObservation, next: TaskObservation): void {
  const keep = next.state === undefined || (into.state !== undefined && outranks(into.state, next.state));
  const { state, stateAt } = into;
  Object.assign(into, next);
  if (keep) Object.assign(into, { state, stateAt });
  for (const key of ["state", "stateAt"] as const) if (into[key] === undefined) delete into[key];
}

/** Observations waiting for one `applyBatch`. */
export class ReconcileBatch {
  private readonly tasks = new Map<string, TaskObservation>();
  private readonly groups = new Map<string, GroupObservation>();
  private readonly edges = new Map<string, WorkflowEdge>();

  /** Tasks held. */
  get size(): number {
    return this.tasks.size;
  }

  get empty(): boolean {
    return this.tasks.size === 0 && this.groups.size === 0 && this.edges.size === 0;
  }

  add(observations: Pick<BackendObservations, "tasks" | "groups" | "edges">): void {
    for (const task of observations.tasks) {
      const held = this.tasks.get(task.id);
      if (held) mergeTask(held, task);
      else this.tasks.set(task.id, { ...task });
    }
    for (const group of observations.groups) this.groups.set(group.id, { ...this.groups.get(group.id), ...group });
    for (const edge of observations.edges) this.edges.set(`${edge.kind} ${edge.fromId} ${edge.toId}`, edge);
  }

  /** Everything held, as one batch; the holder starts empty again. */
  take(): IngestBatch {
    const batch: IngestBatch = { tasks: [...this.tasks.values()], workers: [], groups: [...this.groups.values()], edges: [...this.edges.values()] };
    this.tasks.clear();
    this.groups.clear();
    this.edges.clear();
    return batch;
  }
}
