// How the worker turns signature dicts from messages into sends, and results into tuples; mirrors celery.canvas.maybe_signature + Signature.apply_async as trace.py calls them.

import type { ResultTuple } from "../backend/backend";
import { Group } from "../canvas/group";
import type { CanvasResult } from "../canvas/signature";
import { signatureFromDict } from "../canvas/signature-from-dict";
import type { SignatureDict } from "../protocol/signature-dict";
import type { TaskOptions } from "../protocol/task-options";
import type { WorkerApp } from "./worker-app";

/**
 * Applies a signature dict from a message (plain task, or a composite celery.chain/group/chord,
 * which the canvas expands rather than sending) with `args` prepended.
 */
export function applySignature(app: WorkerApp, dict: SignatureDict, args: unknown[], options: TaskOptions): Promise<CanvasResult> {
  return signatureFromDict(dict, app).applyAsync(args, {}, options);
}

/** A new group of these signature dicts (Celery's `group(sigs, app=app)`). */
export function groupOf(app: WorkerApp, dicts: SignatureDict[]): Group {
  return new Group(
    dicts.map((dict) => signatureFromDict(dict, app)),
    {},
    app,
  );
}

/** The result tuple Celery stores in `children`. */
export function resultTupleOf(result: CanvasResult): ResultTuple {
  return result.toTuple();
}
