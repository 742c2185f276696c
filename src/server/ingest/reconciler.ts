// Reconciliation with the result backend: events are pub/sub and get lost (ingestor down, drops),
// but the backend keeps every result document. The reconciler reads the documents of tasks the
// store still thinks unfinished, walks `children` from recent roots to find tasks no event ever
// announced, and writes what it learns as ordinary backend observations.

import { z } from "zod";
import { BackendError, CeleryError, type ResultBackend } from "../../celery/index";
import { AppError, reasonOf } from "../app-error";
import { backendObservations, type BackendObservations, isAbsentDocument, savedGroupObservations } from "./backend-observations";
import type { HistoryReader, HistoryWriter } from "./observation";
import { startPeriodicRun } from "./periodic-run";
import { ReconcileBatch } from "./reconcile-batch";

const optionsSchema = z.object({
  graceSeconds: z.number().nonnegative().default(60),
  unfinishedLimit: z.number().int().nonnegative().default(10_000),
  rootsWindowSeconds: z.number().positive().default(3_600),
  rootLimit: z.number().int().nonnegative().default(500),
  nodesPerRoot: z.number().int().positive().default(5_000),
  nodesTotal: z.number().int().positive().default(50_000),
  readBatchSize: z.number().int().positive().max(10_000).default(500),
  scanPerRun: z.number().int().nonnegative().default(20_000),
});

type Config = z.infer<typeof optionsSchema>;

/** Limits of one reconciliation; every field has a default. */
export interface ReconcileLimits {
  /** Only tasks unchanged for this long are read: a running task's events are still on their way. Default 60. */
  graceSeconds?: number;
  /** Most unfinished tasks read per run (oldest first). Default 10 000. */
  unfinishedLimit?: number;
  /** Roots with activity this recent are walked. Default 3600 (one hour). */
  rootsWindowSeconds?: number;
  /** Most roots walked per run. Default 500. */
  rootLimit?: number;
  /** Most task documents read under one root or one unfinished task, itself included (wide chords are cut there). Default 5000. */
  nodesPerRoot?: number;
  /** Most task documents read per run, unfinished tasks and all walks together. Default 50 000. */
  nodesTotal?: number;
  /** Task ids per backend read (Redis: one MGET) and tasks per applyBatch. Default 500. */
  readBatchSize?: number;
  /**
   * Result documents looked at per run by the discovery scan (Redis SCAN, a slice at a time, so
   * the server is never blocked): every stored task the history has never heard of is read and
   * written. A backend with more documents is covered over several runs. 0 turns discovery off.
   * Default 20 000.
   */
  scanPerRun?: number;
}

/** Where the discovery scan stopped: kept by the periodic reconciler from one run to the next. */
export interface ScanCursor {
  cursor: string;
}

/** The three parties of a reconciliation; `now` (epoch seconds) is for tests. */
export interface ReconcileDeps {
  reader: HistoryReader;
  writer: HistoryWriter;
  backend: ResultBackend;
  now?: () => number;
  /** The discovery scan's position; without one each run scans from the start. */
  scan?: ScanCursor;
}

export type ReconcileOptions = ReconcileDeps & ReconcileLimits;

/** Something that went wrong; the run went on where it could. */
export interface ReconcileProblem {
  /** `unfinished`: the sweep of unfinished tasks; `walk`: the children walk; `discover`: the scan for unknown tasks; `write`: the store refused a batch (the run stops). */
  stage: "unfinished" | "walk" | "discover" | "write";
  reason: string;
  /** The task, group or root concerned, when there is one. */
  id?: string;
}

/** What one reconciliation did. */
export interface ReconcileReport {
  /** Task documents read from the backend. */
  documents: number;
  /** Tasks written with the state their document holds (documents that exist). */
  updated: number;
  /** Tasks found only through another document's `children`, a saved group or the discovery scan. */
  discovered: number;
  /** Result documents the discovery scan looked at. */
  scanned: number;
  /** Groups written (from group children and saved GroupResults). */
  groups: number;
  /** Documents and saved groups that did not decode: counted, reported, skipped. */
  malformed: number;
  /** Roots (or unfinished tasks) whose subtree walk stopped at a node limit. */
  truncated: string[];
  problems: ReconcileProblem[];
  durationMs: number;
}

/** Where a walk starts: a task, and the root of its workflow when known. */
interface WalkStart {
  id: string;
  rootId?: string;
}

// The store refused a batch: nothing later in the run can be written either.
class WriteFailed extends Error {}

function parseLimits(limits: ReconcileLimits): Config {
  const parsed = optionsSchema.safeParse(limits);
  if (!parsed.success) {
    throw new AppError("BAD_INPUT", `Reconciler options are invalid: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}.`);
  }
  return parsed.data;
}

// The backends raise BackendError both for a value they cannot decode (no cause, or the library's
// DecodeError) and for a failed command (caused by the client's own error): only the first is a
// malformed document to skip.
function isUndecodable(error: unknown): boolean {
  return error instanceof BackendError && (error.cause === undefined || error.cause instanceof CeleryError);
}

/** One reconciliation: its counters, its pending write and the node budget shared by all walks. */
class ReconcileRun {
  readonly report: ReconcileReport = { documents: 0, updated: 0, discovered: 0, scanned: 0, groups: 0, malformed: 0, truncated: [], problems: [], durationMs: 0 };
  private readonly batch = new ReconcileBatch();
  private readonly groupsWritten = new Set<string>();
  private walked = 0;

  constructor(
    private readonly deps: ReconcileDeps,
    private readonly config: Config,
  ) {}

  now(): number {
    return this.deps.now?.() ?? Date.now() / 1000;
  }

  /**
   * Reads the unfinished tasks' documents in bulk, then walks the children they name (tasks the
   * store never saw), up to `nodesPerRoot` documents under each unfinished task.
   */
  async sweepUnfinished(): Promise<void> {
    if (this.config.unfinishedLimit === 0) return;
    const ids = await this.deps.reader.unfinishedTaskIds({ olderThan: this.now() - this.config.graceSeconds, limit: this.config.unfinishedLimit });
    await this.walk(ids.map((id) => ({ id })), "unfinished");
  }

  /** Walks every recent root, all of them together: one backend read serves many roots' nodes. */
  async walkRecentRoots(): Promise<void> {
    if (this.config.rootLimit === 0) return;
    const roots = await this.deps.reader.recentRootIds({ since: this.now() - this.config.rootsWindowSeconds, limit: this.config.rootLimit });
    await this.walk(roots.map((id) => ({ id, rootId: id })), "walk");
  }

  /**
   * Discovery: the next `scanPerRun` ids of stored result documents; those the history has never
   * heard of are walked like unfinished tasks (their documents read, their children followed), so
   * tasks that ran entirely while nobody ingested are found even when no event or capture record
   * ever named them. The position is kept in `deps.scan` for the next run.
   */
  async discoverUnknown(): Promise<void> {
    const scan = this.deps.backend.scanTaskIds?.bind(this.deps.backend);
    if (!scan || this.config.scanPerRun === 0) return;
    const position = this.deps.scan ?? { cursor: "0" };
    const step = Math.min(1_000, this.config.scanPerRun);
    let looked = 0;
    do {
      const { cursor, ids } = await scan(position.cursor, step);
      position.cursor = cursor;
      looked += step;
      this.report.scanned += ids.length;
      const unknown = await this.deps.reader.unknownTaskIds([...new Set(ids)]);
      this.report.discovered += unknown.length;
      if (unknown.length > 0) await this.walk(unknown.map((id) => ({ id })), "discover");
    } while (position.cursor !== "0" && looked < this.config.scanPerRun);
  }

  /** The walk from one task, with a backend failure recorded as a problem of that task instead of thrown. */
  async walkOne(start: WalkStart): Promise<void> {
    try {
      await this.walk([start], "walk");
    } catch (error) {
      if (error instanceof WriteFailed) throw error;
      this.report.problems.push({ stage: "walk", id: start.id, reason: reasonOf(error) });
    }
  }

  /**
   * Breadth-first over `children` (and saved groups) from the starts, one backend read per
   * `readBatchSize` slice of the frontier. Every node is charged to the start it was reached
   * from: a start whose subtree meets `nodesPerRoot`, or that still has nodes waiting when the
   * run's `nodesTotal` is spent, is reported as truncated.
   */
  async walk(starts: WalkStart[], stage: ReconcileProblem["stage"]): Promise<void> {
    // node id → the start it was reached from; start id → documents read for it.
    const origin = new Map<string, string>();
    const used = new Map<string, number>();
    // The root each node was found under: a document without root_id or parent_id says only its
    // own (a root's), so its children inherit it from the observation that named them.
    const roots = new Map<string, string>();
    const groupsSeen = new Set<string>();
    const truncated = new Set<string>();
    const frontier: string[] = [];
    let head = 0;
    for (const { id, rootId } of starts) {
      if (origin.has(id)) continue;
      origin.set(id, id);
      if (rootId) roots.set(id, rootId);
      frontier.push(id);
    }
    while (head < frontier.length) {
      const ids: string[] = [];
      while (head < frontier.length && ids.length < this.config.readBatchSize && this.walked < this.config.nodesTotal) {
        const id = frontier[head++]!;
        const start = origin.get(id)!;
        const count = used.get(start) ?? 0;
        if (count >= this.config.nodesPerRoot) {
          truncated.add(start);
          continue;
        }
        used.set(start, count + 1);
        this.walked++;
        ids.push(id);
      }
      if (ids.length === 0) break;
      const groupIds: string[] = [];
      const visit = (from: string, observations: BackendObservations) => {
        this.add(observations);
        const start = origin.get(from)!;
        for (const { id, rootId } of [...observations.tasks, ...observations.groups]) if (rootId && !roots.has(id)) roots.set(id, rootId);
        // A group named only by a member's group_id belongs to that member's workflow.
        const member = observations.tasks[0];
        for (const id of observations.groupIds) if (member?.rootId && !roots.has(id)) roots.set(id, member.rootId);
        for (const id of observations.taskIds) {
          if (origin.has(id)) continue;
          origin.set(id, start);
          frontier.push(id);
          this.report.discovered++;
        }
        for (const id of observations.groupIds) {
          if (groupsSeen.has(id)) continue;
          groupsSeen.add(id);
          origin.set(id, start);
          groupIds.push(id);
        }
      };
      for (const { id, observations } of await this.read(ids, (id) => roots.get(id), stage)) visit(id, observations);
      for (const groupId of groupIds) {
        const saved = await this.restoreGroup(groupId, stage);
        if (saved) visit(groupId, savedGroupObservations(saved, { rootId: roots.get(groupId) }));
      }
      await this.flush(false);
    }
    // Whatever is still waiting was cut by the run's overall limit.
    for (let i = head; i < frontier.length; i++) truncated.add(origin.get(frontier[i]!)!);
    this.report.truncated.push(...truncated);
  }

  /** Writes what is held: always when `final`, otherwise once a batch is full. */
  async flush(final: boolean): Promise<void> {
    if (this.batch.empty || (!final && this.batch.size < this.config.readBatchSize)) return;
    const batch = this.batch.take();
    try {
      await this.deps.writer.applyBatch(batch);
    } catch (error) {
      this.report.problems.push({ stage: "write", reason: `the store refused a batch of ${batch.tasks.length} tasks: ${reasonOf(error)}` });
      throw new WriteFailed();
    }
  }

  private add(observations: BackendObservations): void {
    for (const group of observations.groups) {
      if (this.groupsWritten.has(group.id)) continue;
      this.groupsWritten.add(group.id);
      this.report.groups++;
    }
    this.batch.add(observations);
  }

  // One getMany; a document that does not decode is counted and left out.
  private async read(ids: string[], rootOf: (id: string) => string | undefined, stage: ReconcileProblem["stage"]): Promise<{ id: string; observations: BackendObservations }[]> {
    const metas = await this.deps.backend.getMany(ids);
    this.report.documents += ids.length;
    const found: { id: string; observations: BackendObservations }[] = [];
    metas.forEach((meta, index) => {
      if (meta instanceof BackendError) {
        this.report.malformed++;
        this.report.problems.push({ stage, id: ids[index], reason: meta.message });
        return;
      }
      if (!isAbsentDocument(meta)) this.report.updated++;
      found.push({ id: ids[index]!, observations: backendObservations(meta, { rootId: rootOf(ids[index]!) }) });
    });
    return found;
  }

  private async restoreGroup(groupId: string, stage: ReconcileProblem["stage"]) {
    try {
      return await this.deps.backend.restoreGroup(groupId);
    } catch (error) {
      // Only an undecodable saved group is skipped; a backend failure ends the walk.
      if (!isUndecodable(error)) throw error;
      this.report.malformed++;
      this.report.problems.push({ stage, id: groupId, reason: reasonOf(error) });
      return null;
    }
  }
}

async function run(options: ReconcileOptions, body: (run: ReconcileRun) => Promise<void>): Promise<ReconcileReport> {
  const started = performance.now();
  const reconcile = new ReconcileRun(options, parseLimits(options));
  try {
    await body(reconcile);
    await reconcile.flush(true);
  } catch (error) {
    if (!(error instanceof WriteFailed)) throw error;
  }
  reconcile.report.durationMs = Math.round(performance.now() - started);
  return reconcile.report;
}

/**
 * One full reconciliation: (a) the documents of tasks unfinished for longer than the grace
 * period, read in bulk; (b) a breadth-first walk of `children` from every recent root, restoring
 * saved GroupResults of group children, within the node limits; (c) all of it written as
 * IngestBatches. Never throws for a backend outage, a malformed document or a store failure:
 * they are in the report's `problems`.
 */
export function reconcileOnce(options: ReconcileOptions): Promise<ReconcileReport> {
  return run(options, async (reconcile) => {
    for (const [stage, step] of [
      ["unfinished", () => reconcile.sweepUnfinished()],
      ["walk", () => reconcile.walkRecentRoots()],
      ["discover", () => reconcile.discoverUnknown()],
    ] as const) {
      try {
        await step();
      } catch (error) {
        if (error instanceof WriteFailed) throw error;
        reconcile.report.problems.push({ stage, reason: reasonOf(error) });
      }
    }
  });
}

/** On demand, for one task: its document and everything its `children` lead to. */
export function reconcileTask(options: Omit<ReconcileOptions, "reader">, taskId: string): Promise<ReconcileReport> {
  return run({ ...options, reader: NO_READER }, (reconcile) => reconcile.walkOne({ id: taskId }));
}

/** On demand, for one workflow: the walk from its root with that root id on every edge. */
export function reconcileRoot(options: Omit<ReconcileOptions, "reader">, rootId: string): Promise<ReconcileReport> {
  return run({ ...options, reader: NO_READER }, (reconcile) => reconcile.walkOne({ id: rootId, rootId }));
}

// On-demand runs never ask the history what to read.
const NO_READER: HistoryReader = {
  unfinishedTaskIds: () => Promise.resolve([]),
  recentRootIds: () => Promise.resolve([]),
  unknownTaskIds: () => Promise.resolve([]),
};

export interface StartReconcilerOptions extends ReconcileOptions {
  /** Pause between the end of one run and the start of the next, ms. */
  intervalMs: number;
  /** Told every run's report (problems included). */
  onReport?: (report: ReconcileReport) => void;
}

/** A periodic reconciler; stop() waits for a run in progress. */
export interface RunningReconciler {
  stop(): Promise<void>;
}

/** Runs {@link reconcileOnce} now and then `intervalMs` after each run ends, until stopped. */
export function startReconciler(options: StartReconcilerOptions): RunningReconciler {
  parseLimits(options);
  // The discovery scan goes on where the previous run stopped.
  const scan: ScanCursor = options.scan ?? { cursor: "0" };
  return startPeriodicRun("startReconciler", options.intervalMs, async () => {
    let report: ReconcileReport;
    try {
      report = await reconcileOnce({ ...options, scan });
    } catch (error) {
      // reconcileOnce reports instead of throwing; anything else is a bug worth surfacing.
      report = { documents: 0, updated: 0, discovered: 0, scanned: 0, groups: 0, malformed: 0, truncated: [], problems: [{ stage: "unfinished", reason: reasonOf(error) }], durationMs: 0 };
    }
    options.onReport?.(report);
  });
}
