// The result backend interface; mirrors celery.backends.base.KeyValueStoreBackend as Celery's Redis backend uses it.

import type { BackendError } from "../errors";
import type { TaskState } from "../states";

/** Celery's result tuple: `[[id, parent], null]` for a task, `[[id, parent], [children…]]` for a group. */
export type ResultTuple = [[string, ResultTuple | null], ResultTuple[] | null];

/** An exception as Celery stores it in JSON. */
export interface ExceptionInfo {
  exc_type: string;
  exc_message: unknown[];
  exc_module: string | null;
}

/**
 * The result document stored under `celery-task-meta-<id>`, with Celery's field names. Optional
 * fields are absent (not null) when Celery would leave them out; key order when written follows
 * Celery's: status, result, traceback, children, date_done, group_id, parent_id, name, args,
 * kwargs, worker, retries, queue, task_id.
 */
export interface ResultMeta {
  status: TaskState;
  result: unknown;
  traceback: string | null;
  children: ResultTuple[] | null;
  date_done: string | null;
  group_id?: string;
  parent_id?: string;
  name?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  worker?: string;
  retries?: number;
  queue?: string;
  task_id: string;
  [extra: string]: unknown;
}

/** One finished chord header member, as kept in the `.j` sorted set: `[1, id, state, result]`. */
export interface ChordPart {
  taskId: string;
  state: TaskState;
  result: unknown;
  groupIndex: number | null;
}

/**
 * `parts` come in group_index order (completion order in Redis list mode); a part read back from
 * Redis has `groupIndex: null` because Celery's ZRANGE carries no scores.
 */
export type ChordPartOutcome = { complete: false } | { complete: true; parts: ChordPart[] };

export interface ResultBackend {
  /** The backend URL with any password masked. */
  readonly displayUrl: string;
  /**
   * Whether the backend joins chords itself (Celery's `supports_native_join`): header members call
   * `chordPartReturn` and the last one fires the body (Redis, memory). When false, the producer of a
   * chord sends Celery's `celery.chord_unlock` task, which polls the header's results and fires the
   * body (Celery's `fallback_chord_unlock`, used by the database and rpc backends).
   */
  readonly nativeJoin: boolean;
  connect(): Promise<void>;
  close(): Promise<void>;
  /** The stored document, or a PENDING document when none exists (as Celery). */
  getTaskMeta(taskId: string): Promise<ResultMeta>;
  /**
   * The documents of many tasks in one round trip (Redis: one MGET; Celery's `get_many` reads the
   * same way), in the order asked: a PENDING document where none exists, and in place of a stored
   * value that does not decode the BackendError naming its key, so one bad key spoils no others.
   * Rejects only when the backend itself fails.
   */
  getMany(taskIds: readonly string[]): Promise<(ResultMeta | BackendError)[]>;
  /**
   * One step of an incremental walk over the ids of every stored task document (Redis: SCAN of
   * `celery-task-meta-*`, so the server is never blocked), for finding tasks nobody reported. Start
   * with cursor "0"; the walk is complete when the returned cursor is "0" again. Ids may repeat
   * and documents written meanwhile may be missed, as with SCAN. Absent where the backend cannot
   * enumerate (Celery's rpc backend keeps no documents).
   */
  scanTaskIds?(cursor: string, count: number): Promise<{ cursor: string; ids: string[] }>;
  /** Writes the document (and wakes waiters); never overwrites a stored SUCCESS. */
  storeResult(meta: ResultMeta): Promise<void>;
  /**
   * Calls `listener` with every document stored for the task from now on; returns the unsubscribe.
   * A published value that does not decode goes to `onError` (a BackendError naming the key).
   */
  onResult(taskId: string, listener: (meta: ResultMeta) => void, onError?: (error: Error) => void): Promise<() => Promise<void>>;
  forget(taskId: string): Promise<void>;
  saveGroup(groupId: string, result: ResultTuple): Promise<void>;
  restoreGroup(groupId: string): Promise<ResultTuple | null>;
  deleteGroup(groupId: string): Promise<void>;
  /** The expected chord header size (Redis `<group key>.s`), written by whoever applies the chord. */
  setChordSize(groupId: string, size: number): Promise<void>;
  /** Extra members added at run time (`add_to_chord`, Redis `.t`). */
  incrementChordSize(groupId: string, by: number): Promise<void>;
  /**
   * Records one finished header member atomically and reports whether the chord is now
   * complete; exactly one caller sees `complete: true` (it then fires the body).
   */
  chordPartReturn(groupId: string, part: ChordPart): Promise<ChordPartOutcome>;
  /**
   * Rebuilds a chord's join so that re-sent header members can complete it (Celery has no such
   * call: a chord whose member failed was completed with that failure and its counters deleted).
   * Atomically: entries of the tasks in `parts` and in `drop` are removed, `parts` are recorded as
   * finished members, and the expected size is set to `size`; entries of other members that
   * returned meanwhile are kept. The body then fires when the remaining members return.
   */
  restoreChordJoin(groupId: string, parts: readonly ChordPart[], size: number, drop?: readonly string[]): Promise<void>;
}
