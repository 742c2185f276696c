// The serialized form of a signature, as embedded in messages and results; mirrors celery.canvas.Signature (a dict).

import type { TaskOptions } from "./task-options";

/** `subtask_type` of composite signatures; null for a plain task (and for map/starmap/chunks). */
export type SubtaskType = "chain" | "group" | "chord" | null;

/**
 * Celery's six-key signature dict, keys in Celery's order. `chord_size` only appears in
 * Celery 5.0 messages; we read and tolerate it but never emit it.
 */
export interface SignatureDict {
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: TaskOptions;
  subtask_type: SubtaskType;
  immutable: boolean;
  chord_size?: number | null;
}
