// A workflow step whose own message was never captured (its worker runs without celeriac_capture,
// or the record still trails in the capture queue) is found in an earlier captured message: the
// parent's or the root's embed holds the step's signature and the chain after it — exactly what a
// Celery worker pops and sends (celery/app/trace.py: `chain.pop()`, `apply_async(chain=rest)`;
// a chord body gets the rest of the chain in chord.run).

import type { SignatureDict } from "../../celery/index";
import type { Runtime } from "../runtime/runtime";
import type { TaskDetail } from "../store/index";
import { readCapturedMessage } from "./captured-message";

/** The step's signature as planned, and what follows it (Celery's reversed order: the next step last). */
export interface PlannedStep {
  signature: SignatureDict;
  chain: SignatureDict[];
  /** "chain": sent by its predecessor with the previous result; "chordBody": sent by the chord's join. */
  kind: "chain" | "chordBody";
}

function isSignature(value: unknown): value is SignatureDict {
  return typeof value === "object" && value !== null && typeof (value as SignatureDict).task === "string" && typeof (value as SignatureDict).options === "object";
}

function signatures(value: unknown): SignatureDict[] {
  return Array.isArray(value) ? value.filter(isSignature) : [];
}

/**
 * Looks for the step in one signature. `after` is what follows the signature, in Celery's embed
 * order (the next step last); `kind` is how the signature itself is sent.
 */
function search(signature: SignatureDict, stepId: string, after: SignatureDict[], kind: PlannedStep["kind"]): PlannedStep | null {
  if (signature.subtask_type === "chain") {
    // A chain's first task is sent the way the chain is; each later one by its predecessor.
    const tasks = signatures((signature.kwargs as { tasks?: unknown }).tasks);
    for (const [index, task] of tasks.entries()) {
      const found = search(task, stepId, [...after, ...tasks.slice(index + 1).reverse()], index === 0 ? kind : "chain");
      if (found) return found;
    }
    return null;
  }
  if (signature.subtask_type === "chord") {
    const body = (signature.kwargs as { body?: unknown }).body;
    return isSignature(body) ? search(body, stepId, after, "chordBody") : null;
  }
  return signature.subtask_type === null && signature.options.task_id === stepId ? { signature, chain: after, kind } : null;
}

/** Looks for step `stepId` in one captured message body (`[args, kwargs, embed]`). */
export function findPlannedStep(body: unknown, stepId: string): PlannedStep | null {
  const embed = Array.isArray(body) ? (body[2] as { chain?: unknown; chord?: unknown } | null | undefined) : undefined;
  if (!embed) return null;
  // A chord header member's message carries the body; Celery put the rest of the chain in its options.
  if (isSignature(embed.chord)) {
    const found = search(embed.chord, stepId, signatures(embed.chord.options.chain), "chordBody");
    if (found) return found;
  }
  const chain = signatures(embed.chain);
  for (let index = chain.length - 1; index >= 0; index--) {
    const found = search(chain[index]!, stepId, chain.slice(0, index), "chain");
    if (found) return found;
  }
  return null;
}

/** The step's plan from its parent's or its root's captured message, with the id of the one it came from. */
export async function replanStep(runtime: Runtime, task: TaskDetail): Promise<(PlannedStep & { from: string }) | null> {
  for (const id of new Set([task.parentId, task.rootId])) {
    if (!id || id === task.id) continue;
    const source = await runtime.store.getTask(id);
    const captured = readCapturedMessage(source?.messageJson);
    if (captured?.kind !== "message") continue;
    const planned = findPlannedStep(captured.body, task.id);
    if (planned) return { ...planned, from: id };
  }
  return null;
}
