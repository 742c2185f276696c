// Revoking a set of tasks: one revoke broadcast to every worker (workers keep revoked ids, so a
// task that arrives later is discarded on arrival), and the store told at once, because Celery
// 5.2 writes REVOKED nowhere for a task no worker holds yet.

import { type ControlResult, type NodeReply, READY_STATES, REVOKED, STARTED } from "../../celery/index";
import type { TaskObservation } from "../ingest/observation";
import type { Runtime } from "../runtime/runtime";
import { unavailableOnFailure } from "./send-plan";

/** One task a revoke names, as the history knows it. */
export interface RevokeTarget {
  taskId: string;
  name: string | null;
  /** Its state in the history (PLANNED for a step not sent yet); null when unknown there. */
  state: string | null;
}

export interface RevokeOptions {
  terminate: boolean;
  signal: string;
}

export interface RevokeResult {
  revoked: string[];
  /** Each worker's answer, `{nodename: {ok|error}}`; empty when no worker answered within two seconds. */
  replies: NodeReply<ControlResult>[];
}

/**
 * How long to collect the workers' acknowledgements of a revoke. A broadcast to every worker always
 * waits this long; Celery's 1 s misses a busy worker's reply, and an operator would rather wait.
 */
const REPLY_TIMEOUT_MS = 2000;

/** Warnings about what a revoke of these targets will and will not do. */
export function revokeWarnings(targets: readonly RevokeTarget[], options: RevokeOptions): string[] {
  const warnings: string[] = [];
  const finished = targets.filter((target) => target.state !== null && READY_STATES.has(target.state));
  if (finished.length > 0) warnings.push(`${finished.length} task(s) already finished (${[...new Set(finished.map((t) => t.state))].join(", ")}): revoking changes nothing for them.`);
  const running = targets.filter((target) => target.state === STARTED);
  if (running.length > 0 && !options.terminate) warnings.push(`${running.length} task(s) are running: without terminate they run to the end; only queued ones are skipped.`);
  if (running.length > 0 && options.terminate) warnings.push(`${running.length} running task(s) get ${options.signal}: work they have half done is not undone.`);
  if (targets.some((target) => target.state === null)) warnings.push("Some ids are not in the history: they are revoked all the same, in case a worker receives them.");
  return warnings;
}

/** The observation that records a revoke in the store, or null when the task's state should stand. */
function revokedObservation(target: RevokeTarget, options: RevokeOptions, now: number): TaskObservation | null {
  if (target.state === null || READY_STATES.has(target.state)) return null;
  // Without terminate a running task finishes; its own outcome will be recorded.
  if (target.state === STARTED && !options.terminate) return null;
  return {
    id: target.taskId,
    source: "event",
    state: REVOKED,
    stateAt: now,
    event: { type: "task-revoked", timestamp: now, fields: { terminated: options.terminate, signum: options.terminate ? options.signal : null, expired: false, by: "celeriac" } },
  };
}

/** Revokes the targets on every worker and records them REVOKED in the store. */
export async function executeRevoke(runtime: Runtime, targets: readonly RevokeTarget[], options: RevokeOptions): Promise<RevokeResult> {
  const ids = targets.map((target) => target.taskId);
  if (ids.length === 0) return { revoked: [], replies: [] };
  const { app, store } = runtime;
  const replies = await unavailableOnFailure(`send the revoke through the broker ${app.broker.displayUrl}`, () =>
    app.control.revoke(ids, { terminate: options.terminate, signal: options.signal, reply: true, timeout: REPLY_TIMEOUT_MS }),
  );
  const now = Date.now() / 1000;
  const tasks = targets.map((target) => revokedObservation(target, options, now)).filter((observation) => observation !== null);
  if (tasks.length > 0) await store.applyBatch({ tasks, workers: [], groups: [], edges: [] });
  return { revoked: ids, replies };
}
