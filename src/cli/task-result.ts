// Reading one task's result for the CLI (`call --wait`, `result`): waiting with a spinner, the
// document as scripts get it with --json, and as people read it.

import { type AsyncResult, errorFromMeta, PROPAGATE_STATES, type ResultMeta, TimeoutError } from "../celery/index";
import { CliError } from "./cli-error";
import { startProgress } from "./progress";
import { paint, stateLabel } from "./terminal";

/** What `--json` prints for one task: Celery's document fields under stable names. */
export interface ResultDocument {
  id: string;
  state: string;
  result: unknown;
  traceback: string | null;
  name: string | null;
  worker: string | null;
  date_done: string | null;
  parent_id: string | null;
  group_id: string | null;
}

export function resultDocument(id: string, meta: ResultMeta): ResultDocument {
  return {
    id,
    state: meta.status,
    result: meta.result,
    traceback: meta.traceback,
    name: meta.name ?? null,
    worker: meta.worker ?? null,
    date_done: meta.date_done,
    parent_id: meta.parent_id ?? null,
    group_id: meta.group_id ?? null,
  };
}

/**
 * Waits up to `seconds` for the task to be ready, with a spinner on a terminal. Resolves to the
 * ready document, or to the current (unready) one when the time ran out.
 */
export async function waitForResult(result: AsyncResult, seconds: number): Promise<{ meta: ResultMeta; timedOut: boolean }> {
  const progress = startProgress(`waiting for task ${result.id}`);
  try {
    await result.get({ timeout: seconds * 1000, propagate: false });
    return { meta: await result.meta(), timedOut: false };
  } catch (error) {
    if (error instanceof TimeoutError) return { meta: await result.meta(), timedOut: true };
    throw error;
  } finally {
    progress.stop();
  }
}

/** The error to exit with after a wait: a timeout says what to check; a failure names the exception. */
export function waitOutcomeError(id: string, meta: ResultMeta, timedOut: boolean, seconds: number): CliError | null {
  if (timedOut) {
    return new CliError(`Task ${id} is still ${meta.status} after ${seconds} s: check that a worker consumes its queue (celeriac inspect active_queues), or wait longer (--wait).`);
  }
  if (PROPAGATE_STATES.has(meta.status)) return new CliError(`${errorFromMeta(meta).message} (state ${meta.status}).`);
  return null;
}

/** A value as one line of JSON (strings too, so that `"5"` and `5` stay apart). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

/** The labelled lines people read for one task's document. */
export function formatResult(document: ResultDocument): string {
  const label = (name: string) => paint(`${name}:`.padEnd(11), "bold");
  const lines = [`${label("id")}${document.id}`, `${label("state")}${stateLabel(document.state)}`];
  if (document.state === "PENDING") lines[1] += paint("  (also what an unknown id reads as: the backend has nothing for it yet)", "dim");
  if (document.name) lines.push(`${label("task")}${document.name}`);
  if (document.worker) lines.push(`${label("worker")}${document.worker}`);
  if (document.date_done) lines.push(`${label("done")}${document.date_done}`);
  if (document.parent_id) lines.push(`${label("parent")}${document.parent_id}`);
  if (document.group_id) lines.push(`${label("group")}${document.group_id}`);
  if (document.state !== "PENDING" || document.result !== null) lines.push(`${label("result")}${jsonText(document.result)}`);
  if (document.traceback) lines.push(`${label("traceback")}`, document.traceback.trimEnd());
  return lines.join("\n");
}
