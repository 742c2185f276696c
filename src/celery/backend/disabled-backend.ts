// The backend used when none is configured: reads fail, writes are dropped; mirrors celery.backends.base.DisabledBackend.

import { ImproperlyConfigured } from "../errors";
import type { ChordPart, ChordPartOutcome, ResultBackend, ResultMeta, ResultTuple } from "./backend";

const NO_BACKEND = "no result backend configured: pass backend to new Celery({...})";

function disabled(what: string): never {
  throw new ImproperlyConfigured(`${NO_BACKEND} (needed to ${what})`);
}

/**
 * Stands in when the app has no result backend. As in Celery, storing a result is a silent no-op
 * (a worker without a backend simply keeps no results) and every read or chord operation throws
 * ImproperlyConfigured.
 */
export class DisabledBackend implements ResultBackend {
  readonly displayUrl = "disabled://";
  readonly nativeJoin = false;

  async connect(): Promise<void> {}

  async close(): Promise<void> {}

  async storeResult(_meta: ResultMeta): Promise<void> {}

  async getTaskMeta(taskId: string): Promise<ResultMeta> {
    return disabled(`read the result of task ${taskId}`);
  }

  async getMany(taskIds: readonly string[]): Promise<ResultMeta[]> {
    return disabled(`read the results of ${taskIds.length} tasks`);
  }

  async onResult(taskId: string, _listener: (meta: ResultMeta) => void): Promise<() => Promise<void>> {
    return disabled(`wait for the result of task ${taskId}`);
  }

  async forget(taskId: string): Promise<void> {
    disabled(`forget the result of task ${taskId}`);
  }

  async saveGroup(groupId: string, _result: ResultTuple): Promise<void> {
    disabled(`save group ${groupId}`);
  }

  async restoreGroup(groupId: string): Promise<ResultTuple | null> {
    return disabled(`restore group ${groupId}`);
  }

  async deleteGroup(groupId: string): Promise<void> {
    disabled(`delete group ${groupId}`);
  }

  async setChordSize(groupId: string, _size: number): Promise<void> {
    disabled(`run chord ${groupId}`);
  }

  async incrementChordSize(groupId: string, _by: number): Promise<void> {
    disabled(`run chord ${groupId}`);
  }

  async chordPartReturn(groupId: string, _part: ChordPart): Promise<ChordPartOutcome> {
    return disabled(`run chord ${groupId}`);
  }

  async restoreChordJoin(groupId: string, _parts: readonly ChordPart[], _size: number): Promise<void> {
    disabled(`restore chord ${groupId}`);
  }
}
