// An in-process result backend with the Redis backend's semantics; mirrors celery.backends.cache with `memory://` (a process-wide dict).

import type { BackendError } from "../../errors";
import { SUCCESS } from "../../states";
import type { ChordPart, ChordPartOutcome, ResultBackend, ResultMeta, ResultTuple } from "../backend";
import { decodeChordPart, decodeGroupMeta, decodeResultMeta, decodeResultMetaOrError, encodeChordPart, encodeGroupMeta, encodeResultMeta, pendingMeta } from "../result-meta";

interface Entry {
  text: string;
  expiresAt: number;
}

interface ChordState {
  members: { score: number; text: string }[];
  size: number | null;
  extra: number;
}

/** The data behind one or more MemoryBackend instances (`memory://` URLs share one per name). */
export class MemoryStore {
  readonly tasks = new Map<string, Entry>();
  readonly groups = new Map<string, Entry>();
  readonly chords = new Map<string, ChordState>();
  readonly listeners = new Map<string, Set<(text: string) => void>>();
}

export interface MemoryBackendOptions {
  /** Seconds a stored value lives; 0 keeps it forever. Default 86400, as Redis. */
  resultExpires?: number;
  /** Share data with other instances (what `createBackend("memory://")` does); a private store otherwise. */
  store?: MemoryStore;
}

/**
 * Keeps results in memory, stored as the same JSON bytes the Redis backend writes, so decoding,
 * validation, SUCCESS protection, wake-ups and chord counting behave identically in tests and
 * single-process apps.
 */
export class MemoryBackend implements ResultBackend {
  readonly displayUrl = "memory://";
  readonly nativeJoin = true;
  private readonly store: MemoryStore;
  private readonly expires: number;

  constructor(options: MemoryBackendOptions = {}) {
    this.store = options.store ?? new MemoryStore();
    this.expires = options.resultExpires ?? 86400;
  }

  async connect(): Promise<void> {}

  async close(): Promise<void> {}

  async getTaskMeta(taskId: string): Promise<ResultMeta> {
    const text = this.read(this.store.tasks, taskId);
    return text === null ? pendingMeta(taskId) : decodeResultMeta(text, this.keyOf(taskId), taskId);
  }

  async scanTaskIds(cursor: string, count: number): Promise<{ cursor: string; ids: string[] }> {
    // The cursor is an offset into the ids in insertion order (what Redis' cursor is to its table).
    const start = Number(cursor) || 0;
    const ids = [...this.store.tasks.keys()].slice(start, start + count);
    const next = start + ids.length;
    return { cursor: ids.length < count || next >= this.store.tasks.size ? "0" : String(next), ids };
  }

  async getMany(taskIds: readonly string[]): Promise<(ResultMeta | BackendError)[]> {
    return taskIds.map((taskId) => decodeResultMetaOrError(this.read(this.store.tasks, taskId), this.keyOf(taskId), taskId));
  }

  async storeResult(meta: ResultMeta): Promise<void> {
    const current = this.read(this.store.tasks, meta.task_id);
    if (current !== null && decodeResultMeta(current, this.keyOf(meta.task_id), meta.task_id).status === SUCCESS) return;
    const text = encodeResultMeta(meta);
    this.store.tasks.set(meta.task_id, this.entry(text));
    for (const listener of [...(this.store.listeners.get(meta.task_id) ?? [])]) queueMicrotask(() => listener(text));
  }

  async onResult(taskId: string, listener: (meta: ResultMeta) => void, onError?: (error: Error) => void): Promise<() => Promise<void>> {
    const raw = (text: string) => {
      let meta: ResultMeta;
      try {
        meta = decodeResultMeta(text, this.keyOf(taskId), taskId);
      } catch (error) {
        onError?.(error as Error);
        return;
      }
      listener(meta);
    };
    let set = this.store.listeners.get(taskId);
    if (!set) {
      set = new Set();
      this.store.listeners.set(taskId, set);
    }
    set.add(raw);
    return async () => {
      const current = this.store.listeners.get(taskId);
      current?.delete(raw);
      if (current?.size === 0) this.store.listeners.delete(taskId);
    };
  }

  async forget(taskId: string): Promise<void> {
    this.store.tasks.delete(taskId);
  }

  async saveGroup(groupId: string, result: ResultTuple): Promise<void> {
    this.store.groups.set(groupId, this.entry(encodeGroupMeta(result)));
  }

  async restoreGroup(groupId: string): Promise<ResultTuple | null> {
    const text = this.read(this.store.groups, groupId);
    return text === null ? null : decodeGroupMeta(text, `celery-taskset-meta-${groupId}`);
  }

  async deleteGroup(groupId: string): Promise<void> {
    this.store.groups.delete(groupId);
  }

  async setChordSize(groupId: string, size: number): Promise<void> {
    this.chord(groupId).size = size;
  }

  async incrementChordSize(groupId: string, by: number): Promise<void> {
    this.chord(groupId).extra += by;
  }

  // Synchronous from read to delete, so concurrent callers are serialized as Redis' MULTI does.
  async chordPartReturn(groupId: string, part: ChordPart): Promise<ChordPartOutcome> {
    const chord = this.chord(groupId);
    const text = encodeChordPart(part);
    // ZADD semantics: a member already present is not counted twice.
    if (!chord.members.some((member) => member.text === text)) chord.members.push({ score: part.groupIndex ?? Infinity, text });
    if (chord.size === null || chord.members.length !== chord.size + chord.extra) return { complete: false };
    this.store.chords.delete(groupId);
    const ordered = [...chord.members].sort((a, b) => a.score - b.score || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
    const key = `celery-taskset-meta-${groupId}.j`;
    return { complete: true, parts: ordered.map((member) => ({ ...decodeChordPart(member.text, key), groupIndex: Number.isFinite(member.score) ? member.score : null })) };
  }

  async restoreChordJoin(groupId: string, parts: readonly ChordPart[], size: number, drop: readonly string[] = []): Promise<void> {
    const chord = this.chord(groupId);
    const key = `celery-taskset-meta-${groupId}.j`;
    const replaced = new Set([...drop, ...parts.map((part) => part.taskId)]);
    chord.members = chord.members.filter((member) => !replaced.has(decodeChordPart(member.text, key).taskId));
    for (const part of parts) chord.members.push({ score: part.groupIndex ?? Infinity, text: encodeChordPart(part) });
    chord.size = size;
  }

  private chord(groupId: string): ChordState {
    let chord = this.store.chords.get(groupId);
    if (!chord) {
      chord = { members: [], size: null, extra: 0 };
      this.store.chords.set(groupId, chord);
    }
    return chord;
  }

  private entry(text: string): Entry {
    return { text, expiresAt: this.expires ? Date.now() + this.expires * 1000 : Infinity };
  }

  // Expiry is lazy: an expired value is dropped when next read, as if Redis had expired it.
  private read(map: Map<string, Entry>, id: string): string | null {
    const entry = map.get(id);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      map.delete(id);
      return null;
    }
    return entry.text;
  }

  private keyOf(taskId: string): string {
    return `celery-task-meta-${taskId}`;
  }
}
