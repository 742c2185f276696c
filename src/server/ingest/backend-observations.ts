// A Celery result document (and a saved GroupResult) as store observations (pure): the task's
// final state, real arguments (result_extended), result or exception, and every task and group
// its `children` name, so tasks the event stream missed can be restored from the backend.

import {
  EXCEPTION_STATES,
  type ExceptionInfo,
  parsePyIsoformat,
  PENDING,
  pyJsonStringify,
  READY_STATES,
  reprOfExceptionInfo,
  type ResultMeta,
  type ResultTuple,
  STARTED,
  SUCCESS,
} from "../../celery/index";
import type { GroupObservation, TaskObservation, WorkflowEdge } from "./observation";

/** What one document (or saved group) says, plus the ids worth reading next. */
export interface BackendObservations {
  /** The document's own task first (when the backend holds one), then every task its tuples name. */
  tasks: TaskObservation[];
  groups: GroupObservation[];
  /** `parent` edges (a result document cannot tell a chain step from a callback or a subtask). */
  edges: WorkflowEdge[];
  /** Tasks named by the document whose own documents the reconciler should read. */
  taskIds: string[];
  /** Groups named (group children, the task's own group_id) whose saved GroupResult may list members. */
  groupIds: string[];
}

/** What the reader of a document knows beyond it: the workflow it was reached from. */
export interface DocumentContext {
  rootId?: string;
}

/** Where a tuple node sits: the task whose result it receives, the group it is a member of. */
interface Placement {
  parentId?: string;
  groupId?: string;
  groupIndex?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** `date_done` as epoch seconds; Celery writes naive UTC isoformat (5.2) or with an offset (5.3+). */
function epochSeconds(dateDone: string | null): number | undefined {
  if (dateDone === null) return undefined;
  try {
    return parsePyIsoformat(dateDone, "date_done").getTime() / 1000;
  } catch {
    return undefined;
  }
}

// Celery accepts a bare value where a list of args is expected (cls(exc_msg)), as errorFromMeta.
function exceptionRepr(result: unknown, status: string): string | undefined {
  if (!isRecord(result)) return undefined;
  const message = result.exc_message;
  const info: ExceptionInfo = {
    exc_type: typeof result.exc_type === "string" ? result.exc_type : status,
    exc_message: Array.isArray(message) ? message : message === undefined || message === null ? [] : [message],
    exc_module: typeof result.exc_module === "string" ? result.exc_module : null,
  };
  return reprOfExceptionInfo(info);
}

function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

/**
 * True when the backend holds nothing for the task: Celery answers a missing key with a bare
 * PENDING document, which says nothing a store does not already know.
 */
export function isAbsentDocument(meta: ResultMeta): boolean {
  return meta.status === PENDING && meta.date_done === null && meta.children === null && meta.name === undefined;
}

/**
 * The root a document belongs to: its own `root_id` (written by some Celery versions), the
 * workflow it was reached from, or itself when a worker wrote it (result_extended `name` present)
 * without a parent_id: Celery gives a task sent with no parent its own id as root_id.
 */
function rootOf(meta: ResultMeta, context: DocumentContext): string | undefined {
  return text(meta.root_id) ?? context.rootId ?? (meta.name !== undefined && meta.parent_id === undefined ? meta.task_id : undefined);
}

/** The document's own task as one observation. */
function documentTask(meta: ResultMeta, rootId: string | undefined): TaskObservation {
  const status = meta.status;
  const doneAt = READY_STATES.has(status) ? epochSeconds(meta.date_done) : undefined;
  // A STARTED document's result is Celery's {"pid", "hostname"} meta, not a result.
  const startedBy = status === STARTED && isRecord(meta.result) ? text(meta.result.hostname) : undefined;
  return dropUndefined<TaskObservation>({
    id: meta.task_id,
    source: "backend",
    state: status,
    stateAt: epochSeconds(meta.date_done),
    finishedAt: doneAt,
    name: text(meta.name),
    rootId,
    parentId: text(meta.parent_id),
    groupId: text(meta.group_id),
    argsJson: Array.isArray(meta.args) ? pyJsonStringify(meta.args) : undefined,
    kwargsJson: isRecord(meta.kwargs) ? pyJsonStringify(meta.kwargs) : undefined,
    result: status === SUCCESS ? pyJsonStringify(meta.result) : undefined,
    exception: EXCEPTION_STATES.has(status) ? exceptionRepr(meta.result, status) : undefined,
    traceback: meta.traceback ?? undefined,
    retries: typeof meta.retries === "number" ? meta.retries : undefined,
    worker: text(meta.worker) ?? startedBy,
    queue: text(meta.queue),
  });
}

/** Collects the observations of result tuples into one answer. */
class TupleCollector {
  readonly out: BackendObservations = { tasks: [], groups: [], edges: [], taskIds: [], groupIds: [] };

  constructor(private readonly rootId: string | undefined) {}

  /**
   * Adds one tuple node and its parents; returns the id of the task its successors hang off
   * (undefined for a group: a task after a group has no single parent).
   */
  node(tuple: ResultTuple, placement: Placement): string | undefined {
    const [[id, parentTuple], members] = tuple;
    // `[[id, parent], …]`: the parent came first and fed this node; the oldest hangs off the placement.
    const parentId = parentTuple ? this.node(parentTuple, { parentId: placement.parentId }) : placement.parentId;
    if (members === null) {
      this.task(id, { ...placement, parentId });
      return id;
    }
    this.group(id, members, parentId);
    return undefined;
  }

  /** A group and its members (in group_index order, as GroupResult keeps them). */
  group(id: string, members: ResultTuple[], parentId: string | undefined): void {
    this.out.groups.push(dropUndefined<GroupObservation>({ id, rootId: this.rootId, parentId, size: members.length }));
    this.out.groupIds.push(id);
    members.forEach((member, groupIndex) => this.node(member, { parentId, groupId: id, groupIndex }));
  }

  // Named by a tuple, so it was sent: PENDING, the weakest state, until its own document says more.
  private task(id: string, placement: Placement): void {
    this.out.tasks.push(dropUndefined<TaskObservation>({ id, source: "backend", state: PENDING, rootId: this.rootId, ...placement }));
    this.out.taskIds.push(id);
    if (this.rootId && placement.parentId && placement.parentId !== id) this.out.edges.push({ rootId: this.rootId, fromId: placement.parentId, toId: id, kind: "parent" });
  }
}

/**
 * The observations one result document gives: its task (unless the backend holds nothing for
 * it), and every task and group listed in `children` (tasks it applied: chain steps, callbacks,
 * groups, subtasks) with `parent` edges when the workflow's root is known.
 */
export function backendObservations(meta: ResultMeta, context: DocumentContext = {}): BackendObservations {
  const rootId = rootOf(meta, context);
  const collector = new TupleCollector(rootId);
  const { out } = collector;
  if (!isAbsentDocument(meta)) {
    const task = documentTask(meta, rootId);
    out.tasks.push(task);
    if (rootId && task.parentId && task.parentId !== task.id) out.edges.push({ rootId, fromId: task.parentId, toId: task.id, kind: "parent" });
    if (task.groupId) out.groupIds.push(task.groupId);
  }
  for (const child of meta.children ?? []) collector.node(child, { parentId: meta.task_id });
  return out;
}

/**
 * The observations of a saved GroupResult (`celery-taskset-meta-<id>`, restored as its tuple):
 * the group with its size, and each member task with its place in the group.
 */
export function savedGroupObservations(tuple: ResultTuple, context: DocumentContext = {}): BackendObservations {
  const collector = new TupleCollector(context.rootId);
  collector.node(tuple, {});
  return collector.out;
}
