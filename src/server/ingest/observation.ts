// What every source of history hands to the store: events, captured messages and the result
// backend each describe tasks, workers and workflow shape partially; the store merges them.

/**
 * One source's view of one task. A field that is `undefined` is unknown to this source and never
 * clears what the store already holds; the store merges observations with Celery's state
 * precedence (PLANNED ranks below PENDING), so their order of arrival does not matter.
 */
export interface TaskObservation {
  id: string;
  source: "event" | "capture" | "backend";
  /**
   * Celery state asserted by this observation; "PLANNED" for a workflow step not yet sent. A
   * PLANNED observation may arrive after the step's own message (capture records from several
   * processes race): it then only fills fields the task does not have yet.
   */
  state?: string;
  /** Epoch seconds at which `state` held (event timestamp, date_done, capture time). */
  stateAt?: number;
  /** Lamport clock of the event, when there is one. */
  clock?: number;
  name?: string;
  rootId?: string;
  parentId?: string;
  /** The group this task is a member of, and its place in it. */
  groupId?: string;
  groupIndex?: number;
  /** Real arguments as JSON text (from a captured message or result_extended), never a repr. */
  argsJson?: string;
  kwargsJson?: string;
  /** Truncated reprs as events carry them; shown only when the JSON is unknown. */
  argsRepr?: string;
  kwargsRepr?: string;
  /** Result as JSON text (backend) or repr (events). */
  result?: string;
  exception?: string;
  traceback?: string;
  retries?: number;
  worker?: string;
  queue?: string;
  exchange?: string;
  routingKey?: string;
  eta?: string;
  expires?: string;
  /** Epoch seconds of each lifecycle step. */
  sentAt?: number;
  receivedAt?: number;
  startedAt?: number;
  finishedAt?: number;
  /** Seconds the task ran (task-succeeded's runtime). */
  runtime?: number;
  /**
   * The complete message as published (`{headers, properties, body}` with the body decoded to
   * Celery's `[args, kwargs, embed]`), as JSON text: what a faithful retry re-sends.
   */
  messageJson?: string;
  /** An event to append to the task's timeline. */
  event?: TimelineEvent;
  /**
   * Captured messages only: the placeholder id under which a workflow plan may have recorded this
   * task before its real id was knowable (an unfrozen link/link_error callback, see
   * workflow-graph.ts). When a node with that id exists, the store folds it into this task: its
   * edges are re-pointed here and the placeholder is dropped. Unknown ids are ignored.
   */
  plannedId?: string;
}

export interface TimelineEvent {
  type: string;
  timestamp: number;
  hostname?: string;
  clock?: number;
  /** The event's own fields other than the envelope, as received. */
  fields?: Record<string, unknown>;
}

export interface WorkerObservation {
  hostname: string;
  /** "online" after worker-online / worker-heartbeat, "offline" after worker-offline. */
  status: "online" | "offline";
  at: number;
  clock?: number;
  heartbeat?: boolean;
  freq?: number;
  pid?: number;
  active?: number;
  processed?: number;
  loadavg?: number[];
  swIdent?: string;
  swVer?: string;
  swSys?: string;
}

/**
 * A group (GroupResult id): a chord header when `chordBodyId` is set. Its members are the tasks
 * whose `groupId` names it.
 */
export interface GroupObservation {
  id: string;
  rootId?: string;
  /** The task whose result feeds this group (the previous chain step), if any. */
  parentId?: string;
  size?: number;
  chordBodyId?: string;
  /**
   * Captured messages only: the placeholder id a workflow plan gave this group because its real
   * id was not knowable yet (Celery 5.2 gives a chord met in a chain remainder a fresh header
   * group id when the worker applies it). The store folds that placeholder group into this one:
   * edges naming it and tasks whose `groupId` names it move here. Unknown ids are ignored.
   */
  plannedId?: string;
}

/**
 * A directed edge of a workflow. `chain`: `from` hands its result to `to` (task → task, or
 * task → group id when the next step is a group/chord header). `chord`: header group id → body
 * task. `link` / `link_error`: task → callback / errback task. `parent`: only a parent_id is
 * known (events and backend fallbacks). `relaunch`: old root → new root of a workflow relaunched
 * from the dashboard, recorded under both roots so each shows "relaunched as" / "relaunch of".
 */
export interface WorkflowEdge {
  rootId: string;
  fromId: string;
  toId: string;
  kind: "chain" | "chord" | "link" | "link_error" | "parent" | "relaunch";
}

/** What one flush hands to the store. */
export interface IngestBatch {
  tasks: TaskObservation[];
  workers: WorkerObservation[];
  groups: GroupObservation[];
  edges: WorkflowEdge[];
}

/** Depth of one queue at one moment (Redis: list lengths including priority sub-queues). */
export interface QueueSample {
  /** Display URL of the broker (no password). */
  broker: string;
  queue: string;
  at: number;
  depth: number;
  consumers?: number;
}

/**
 * What a worker says of itself when inspected (`inspect stats` and `active_queues`): the pool and
 * queues that events never carry. Python and TypeScript workers answer alike.
 */
export interface WorkerDetails {
  hostname: string;
  /** Epoch seconds of the reply. */
  at: number;
  poolSize?: number;
  prefetchCount?: number;
  queues?: string[];
}

/** Where the worker inspector writes. */
export interface WorkerDetailsWriter {
  recordWorkerDetails(details: WorkerDetails[]): Promise<void>;
}

/** The store as the ingestor, the capture consumer and the reconciler write to it. */
export interface HistoryWriter {
  /** Merges the batch in one transaction; resolves once it is durable. */
  applyBatch(batch: IngestBatch): Promise<void>;
  recordQueueSamples(samples: QueueSample[]): Promise<void>;
}

/** What the reconciler needs to know about the history so far. */
export interface HistoryReader {
  /** Ids of tasks whose last known state is not ready (PENDING, RECEIVED, STARTED, RETRY, …), oldest first. */
  unfinishedTaskIds(options: { olderThan: number; limit: number }): Promise<string[]>;
  /** Root ids of workflows with activity since `since` (epoch seconds). */
  recentRootIds(options: { since: number; limit: number }): Promise<string[]>;
  /** Which of `ids` the history has never heard of, in the order given. */
  unknownTaskIds(ids: readonly string[]): Promise<string[]>;
}
