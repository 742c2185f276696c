// The one gate every observation passes before it may reach the store (events, capture records,
// result-backend documents alike): values PostgreSQL cannot hold or that no Celery cluster sends
// are refused with a reason here, so one bad input is set aside alone instead of failing the
// batch that carries it, and the batches after it.

import type { GroupObservation, IngestBatch, TaskObservation, TimelineEvent, WorkerObservation, WorkflowEdge } from "./observation";

/** Why an observation cannot be stored. */
export class InvalidObservation extends Error {
  override readonly name = "InvalidObservation";
}

// Epoch seconds from 1970 to the year 3000: PostgreSQL's timestamptz ends in 294276, Celery sends
// time.time(); a 1e13 "timestamp" (milliseconds sent as seconds) is past PostgreSQL's range.
const MAX_EPOCH = 32_503_680_000;
const INT32 = 2_147_483_647;
/** Ids, names, hostnames, queues: Celery's are far shorter; anything longer is not a Celery value. */
const MAX_NAME = 1_000;
/** Reprs, results, tracebacks as events carry them (Celery truncates argsrepr to 1024). */
const MAX_TEXT = 1_000_000;
/** Real arguments and whole messages, as JSON text. */
const MAX_DOCUMENT = 32_000_000;
/** Nesting of a timeline event's fields (a real event nests two or three levels). */
const MAX_DEPTH = 32;

function fail(field: string, problem: string): never {
  throw new InvalidObservation(`${field} ${problem}`);
}

function checkText(field: string, value: unknown, max: number): void {
  if (value === undefined) return;
  if (typeof value !== "string") fail(field, `is a ${typeof value}, not text`);
  if (value.length > max) fail(field, `is ${value.length.toLocaleString("en-US")} characters long (at most ${max.toLocaleString("en-US")})`);
  // PostgreSQL text holds no NUL and jsonb no lone surrogate: either fails the whole write.
  if (value.includes("\0")) fail(field, "contains a NUL character");
  if (!value.isWellFormed()) fail(field, "contains a lone UTF-16 surrogate (not valid Unicode)");
}

function checkEpoch(field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > MAX_EPOCH) fail(field, `${String(value)} is not a time in epoch seconds between 1970 and 3000`);
}

function checkInteger(field: string, value: unknown, max: number): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) fail(field, `${String(value)} is not a whole number between 0 and ${max.toLocaleString("en-US")}`);
}

function checkNumber(field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || Math.abs(value) > 1e15) fail(field, `${String(value)} is not a finite number`);
}

// A timeline event's own fields are stored as received (jsonb): every string and key must be
// storable, every number finite, and the nesting bounded (a deep one overflows recursive code).
function checkValue(field: string, value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) fail(field, `nests deeper than ${MAX_DEPTH} levels`);
  if (typeof value === "string") checkText(field, value, MAX_TEXT);
  else if (typeof value === "number") {
    if (!Number.isFinite(value)) fail(field, `${String(value)} is not a finite number`);
  } else if (Array.isArray(value)) {
    for (const item of value) checkValue(field, item, depth + 1);
  } else if (value !== null && typeof value === "object") {
    for (const key in value) {
      checkText(`${field} key`, key, MAX_NAME);
      checkValue(`${field}.${key}`, (value as Record<string, unknown>)[key], depth + 1);
    }
  }
}

function checkEvent(event: TimelineEvent | undefined): void {
  if (!event) return;
  checkText("event type", event.type, MAX_NAME);
  checkEpoch("event timestamp", event.timestamp);
  checkText("event hostname", event.hostname, MAX_NAME);
  checkInteger("event clock", event.clock, Number.MAX_SAFE_INTEGER);
  if (event.fields) checkValue("event", event.fields, 0);
}

function checkTask(task: TaskObservation): void {
  checkText("task id", task.id, MAX_NAME);
  if (task.id === "") fail("task id", "is empty");
  for (const field of ["name", "state", "rootId", "parentId", "groupId", "worker", "queue", "exchange", "routingKey", "eta", "expires", "plannedId"] as const) checkText(field, task[field], MAX_NAME);
  for (const field of ["argsRepr", "kwargsRepr", "result", "exception", "traceback"] as const) checkText(field, task[field], MAX_TEXT);
  for (const field of ["argsJson", "kwargsJson", "messageJson"] as const) checkText(field, task[field], MAX_DOCUMENT);
  for (const field of ["stateAt", "sentAt", "receivedAt", "startedAt", "finishedAt"] as const) checkEpoch(field, task[field]);
  checkInteger("clock", task.clock, Number.MAX_SAFE_INTEGER);
  checkInteger("retries", task.retries, INT32);
  checkInteger("groupIndex", task.groupIndex, INT32);
  checkNumber("runtime", task.runtime);
  checkEvent(task.event);
}

function checkWorker(worker: WorkerObservation): void {
  checkText("worker hostname", worker.hostname, MAX_NAME);
  for (const field of ["swIdent", "swVer", "swSys"] as const) checkText(field, worker[field], MAX_NAME);
  checkEpoch("worker at", worker.at);
  checkInteger("worker clock", worker.clock, Number.MAX_SAFE_INTEGER);
  for (const field of ["pid", "active", "processed"] as const) checkInteger(`worker ${field}`, worker[field], INT32);
  checkNumber("worker freq", worker.freq);
  if (worker.loadavg !== undefined) {
    if (!Array.isArray(worker.loadavg) || worker.loadavg.length > 3) fail("worker loadavg", "is not a list of three numbers");
    worker.loadavg.forEach((value) => checkNumber("worker loadavg", value));
  }
}

function checkGroup(group: GroupObservation): void {
  for (const field of ["id", "rootId", "parentId", "chordBodyId", "plannedId"] as const) checkText(`group ${field}`, group[field], MAX_NAME);
  checkInteger("group size", group.size, INT32);
}

function checkEdge(edge: WorkflowEdge): void {
  for (const field of ["rootId", "fromId", "toId"] as const) checkText(`edge ${field}`, edge[field], MAX_NAME);
}

/** Throws InvalidObservation naming the first field of `batch` the store could not hold. */
export function checkBatch(batch: Partial<IngestBatch>): void {
  for (const task of batch.tasks ?? []) checkTask(task);
  for (const worker of batch.workers ?? []) checkWorker(worker);
  for (const group of batch.groups ?? []) checkGroup(group);
  for (const edge of batch.edges ?? []) checkEdge(edge);
}

/** The reason `batch` cannot be stored, or null when every value in it can. */
export function invalidReason(batch: Partial<IngestBatch>): string | null {
  try {
    checkBatch(batch);
    return null;
  } catch (error) {
    if (error instanceof InvalidObservation) return error.message;
    throw error;
  }
}
