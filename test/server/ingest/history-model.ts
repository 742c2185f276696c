// A test double of the store for the capture tests: collects batches and folds them the way the
// contract (src/server/ingest/observation.ts) says the store merges them, including plannedId
// placeholders, so a test can read the final workflow shape by task name.

import type { GroupObservation, HistoryWriter, IngestBatch, QueueSample, TaskObservation, WorkflowEdge } from "../../../src/server/ingest/observation";

// Celery's precedence, with PLANNED below PENDING as the contract says.
const RANK = ["PLANNED", "PENDING", "RETRY", "REJECTED", "RECEIVED", "STARTED", "REVOKED", "FAILURE", "SUCCESS"];
const rank = (state: string | undefined) => (state === undefined ? -1 : RANK.indexOf(state));

function merge<T extends object>(old: T | undefined, next: T): T {
  const out = { ...old } as Record<string, unknown>;
  for (const [key, value] of Object.entries(next)) if (value !== undefined) out[key] = value;
  return out as T;
}

export class HistoryModel implements HistoryWriter {
  readonly batches: IngestBatch[] = [];
  readonly tasks = new Map<string, TaskObservation>();
  readonly groups = new Map<string, GroupObservation>();
  readonly edges = new Map<string, WorkflowEdge>();
  /** placeholder id → the real id that replaced it. */
  readonly #alias = new Map<string, string>();
  /** Rejects the next `n` applyBatch calls, to play a store outage. */
  failNext = 0;

  async applyBatch(batch: IngestBatch): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("store unavailable (test outage)");
    }
    this.batches.push(structuredClone(batch));
    for (const task of batch.tasks) if (task.plannedId) this.#fold(task.plannedId, task.id, "task");
    for (const group of batch.groups) if (group.plannedId) this.#fold(group.plannedId, group.id, "group");
    for (const task of batch.tasks) this.#task(task);
    for (const group of batch.groups) this.#group(group);
    for (const edge of batch.edges) this.#edge(edge);
  }

  async recordQueueSamples(_samples: QueueSample[]): Promise<void> {}

  #id = (id: string | undefined) => (id === undefined ? undefined : (this.#alias.get(id) ?? id));

  #task(task: TaskObservation): void {
    const id = this.#id(task.id)!;
    const old = this.tasks.get(id);
    const incoming = { ...task, id, groupId: this.#id(task.groupId), plannedId: undefined };
    // A plan arriving after the task's own message (records from several processes race) only
    // fills gaps: the real message's args and message win.
    const next = old && task.state === "PLANNED" && rank(old.state) > rank("PLANNED") ? merge(incoming, old) : merge(old, incoming);
    // A lower-ranked state never replaces a higher one (order of arrival does not matter).
    if (old && rank(task.state) < rank(old.state)) next.state = old.state;
    this.tasks.set(id, next);
  }

  #group(group: GroupObservation): void {
    const id = this.#id(group.id)!;
    this.groups.set(id, merge(this.groups.get(id), { ...group, id, chordBodyId: this.#id(group.chordBodyId), plannedId: undefined }));
  }

  #edge(edge: WorkflowEdge): void {
    const e = { ...edge, fromId: this.#id(edge.fromId)!, toId: this.#id(edge.toId)! };
    this.edges.set(`${e.kind} ${e.fromId} ${e.toId}`, e);
  }

  /** The placeholder becomes `real`: its fields fill gaps, its members and edges move over. */
  #fold(placeholder: string, real: string, kind: "task" | "group"): void {
    if (placeholder === real) return;
    this.#alias.set(placeholder, real);
    const map = (kind === "task" ? this.tasks : this.groups) as Map<string, TaskObservation | GroupObservation>;
    const planned = map.get(placeholder);
    if (planned) {
      map.delete(placeholder);
      map.set(real, merge({ ...planned, id: real }, map.get(real) ?? { id: real }) as never);
    }
    for (const task of this.tasks.values()) if (task.groupId === placeholder) task.groupId = real;
    for (const [key, edge] of [...this.edges]) {
      if (edge.fromId !== placeholder && edge.toId !== placeholder) continue;
      this.edges.delete(key);
      this.#edge(edge);
    }
  }

  /** A node's display name: a task's name, or `group{members by index}`. */
  label(id: string): string {
    const task = this.tasks.get(id);
    if (task) return task.name ?? id;
    const members = [...this.tasks.values()].filter((t) => t.groupId === id).sort((a, b) => (a.groupIndex ?? 0) - (b.groupIndex ?? 0));
    return `group{${members.map((m) => m.name).join(",")}}`;
  }

  /** The edges of one workflow as sorted `kind from → to` lines, by name. */
  shape(rootId: string): string[] {
    return [...this.edges.values()]
      .filter((edge) => edge.rootId === rootId)
      .map((edge) => `${edge.kind} ${this.label(edge.fromId)} → ${this.label(edge.toId)}`)
      .sort();
  }

  /** Ids still standing for placeholders (nothing real has claimed them). */
  placeholders(): string[] {
    return [...this.tasks.keys(), ...this.groups.keys()].filter((id) => id.startsWith("planned:"));
  }
}
