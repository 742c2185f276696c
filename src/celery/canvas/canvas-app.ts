// What the canvas needs from an app to apply itself; mirrors the `app` a celery.canvas.Signature is bound to.

import type { TaskOptions } from "../protocol/task-options";
import type { AsyncResult } from "../result/async-result";
import type { GroupResult } from "../result/group-result";

/**
 * The producer side of an app as seen by signatures. Kept as an interface so the canvas stays
 * pure: applying a canvas computes ids and embeds, then hands single task messages to `sendTask`.
 */
export interface CanvasApp {
  /**
   * Publishes one task message. `options` may carry the frozen `task_id`, `group_id`,
   * `group_index`, `root_id`, `parent_id` and the embeds `chain`, `chord`, `link`, `link_error`.
   */
  sendTask(name: string, args: unknown[], kwargs: Record<string, unknown>, options: TaskOptions): Promise<AsyncResult>;
  /** Stores the expected header size of a chord before its last header message goes out. */
  setChordSize(groupId: string, size: number): Promise<void>;
  asyncResult(id: string, parent?: AsyncResult | GroupResult | null): AsyncResult;
  groupResult(id: string, results: (AsyncResult | GroupResult)[], parent?: AsyncResult | GroupResult | null): GroupResult;
  /** This producer's oid: the `reply_to` Celery puts into frozen signatures and message properties. */
  readonly oid: string;
  /** A fresh task/group id (UUID4). */
  newId(): string;
}
