// Folds one TaskObservation into a task record (pure): Celery's state precedence as in
// celery/events/state.py Task.event, made order-independent so sources may arrive in any order.

import { READY_STATES, RECEIVED, RETRY } from "../../celery/index";
import type { TaskObservation, TimelineEvent } from "../ingest/observation";
import { PLANNED, stateRank } from "./state-rank";
import type { TaskRecord } from "./task-record";

/** Fields every observation may carry, copied according to whether its state is current. */
const PLAIN_FIELDS = [
  "name", "rootId", "parentId", "groupId", "groupIndex", "argsJson", "kwargsJson", "argsRepr", "kwargsRepr",
  "worker", "queue", "exchange", "routingKey", "eta", "expires", "runtime", "messageJson",
] as const satisfies readonly (keyof TaskObservation & keyof TaskRecord)[];

/** What a late RECEIVED may still fill in (celery.events.state.Task.merge_rules). */
const RECEIVED_FILLS: ReadonlySet<string> = new Set(["name", "argsJson", "kwargsJson", "argsRepr", "kwargsRepr", "parentId", "rootId", "retries", "eta", "expires"]);

/** What a task's own captured message says better than anything recorded before it was sent. */
const MESSAGE_FIELDS: ReadonlySet<string> = new Set(["argsJson", "kwargsJson", "argsRepr", "kwargsRepr", "queue", "exchange", "routingKey", "eta", "expires", "messageJson"]);

/** How workflow-graph.ts stores a planned step's messageJson (`{"signature": dict}`). */
const PLANNED_MESSAGE_PREFIX = '{"signature"';

/** Events carry reprs; the backend and captured messages carry JSON, which must not be overwritten by them. */
const OUTCOME_FIELDS = ["result", "exception", "traceback"] as const;

/** Bound on the text search column: enough to find an argument, small enough to index cheaply. */
const SEARCH_LIMIT = 2000;

/**
 * Whether `observation`'s state replaces the record's. A state replaces one it outranks or
 * equals; RETRY always applies, as in Celery, unless it is dated before the state it would replace
 * (a stale retry arriving after the task finished must not reopen it). An equal rank dated
 * earlier does not apply either, so duplicates in any order converge.
 */
function stateApplies(record: TaskRecord | undefined, observation: TaskObservation): boolean {
  if (observation.state === undefined) return false;
  if (record === undefined) return true;
  const older = observation.stateAt !== undefined && record.stateAt !== undefined && observation.stateAt < record.stateAt;
  if (observation.state === RETRY || record.state === RETRY) return !older;
  const rank = stateRank(observation.state);
  return rank < record.stateRank || (rank === record.stateRank && !older);
}

function eventKey(event: TimelineEvent): string {
  return `${event.type}\u0000${event.timestamp}\u0000${event.hostname ?? ""}\u0000${event.clock ?? ""}`;
}

/** Appends `event` in timestamp order unless an identical one (type, time, host, clock) is there. */
function appendEvent(events: TimelineEvent[], event: TimelineEvent): TimelineEvent[] {
  const key = eventKey(event);
  if (events.some((existing) => eventKey(existing) === key)) return events;
  const next = [...events, event];
  next.sort((a, b) => a.timestamp - b.timestamp);
  return next;
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function latest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

function searchText(record: TaskRecord): string | undefined {
  const parts = [record.argsJson ?? record.argsRepr, record.kwargsJson ?? record.kwargsRepr, record.result, record.exception].filter((part) => part);
  return parts.length === 0 ? undefined : parts.join("\n").slice(0, SEARCH_LIMIT);
}

/**
 * The record after `observation`. `now` (epoch seconds) dates a task no observation dates.
 * Undefined fields never clear; sentAt/receivedAt keep the earliest, startedAt/finishedAt the
 * latest (the run that produced the outcome), retries the highest.
 */
export function mergeTask(record: TaskRecord | undefined, observation: TaskObservation, now: number): TaskRecord {
  const current = stateApplies(record, observation);
  const next: TaskRecord = record
    ? { ...record }
    : { id: observation.id, state: "PENDING", stateRank: stateRank("PENDING"), possiblyLost: false, rolledUp: false, events: [], firstAt: now };
  const stale = record !== undefined && !current;
  const fillsOnly = stale && observation.state === RECEIVED;
  // The step's own message may be captured after its events made it finish: it still replaces
  // the planned signature (and its partial arguments), which a retry would otherwise re-send.
  const replacesPlan = observation.source === "capture" && observation.state !== PLANNED && observation.messageJson !== undefined && record?.messageJson?.startsWith(PLANNED_MESSAGE_PREFIX) === true;

  for (const field of PLAIN_FIELDS) {
    const value = observation[field];
    if (value === undefined) continue;
    if (fillsOnly && !RECEIVED_FILLS.has(field)) continue;
    if (stale && next[field] !== undefined && !(replacesPlan && MESSAGE_FIELDS.has(field))) continue;
    (next as unknown as Record<string, unknown>)[field] = value;
  }
  if (!fillsOnly) {
    for (const field of OUTCOME_FIELDS) {
      const value = observation[field];
      if (value === undefined) continue;
      if ((stale || observation.source === "event") && next[field] !== undefined) continue;
      next[field] = value;
    }
  }
  if (observation.retries !== undefined) next.retries = Math.max(next.retries ?? 0, observation.retries);

  if (current && observation.state !== undefined) {
    next.state = observation.state;
    next.stateRank = stateRank(observation.state);
    if (observation.stateAt !== undefined) next.stateAt = observation.stateAt;
    if (observation.clock !== undefined) next.clock = observation.clock;
    // Heard from again: whatever made it look lost is over.
    next.possiblyLost = false;
  } else if (next.stateAt === undefined && observation.stateAt !== undefined && observation.state === next.state) {
    next.stateAt = observation.stateAt;
  }

  next.sentAt = earliest(next.sentAt, observation.sentAt);
  next.receivedAt = earliest(next.receivedAt, observation.receivedAt);
  next.startedAt = latest(next.startedAt, observation.startedAt);
  next.finishedAt = latest(next.finishedAt, observation.finishedAt);
  const known = [observation.sentAt, observation.receivedAt, observation.startedAt, observation.stateAt, observation.event?.timestamp].filter((t): t is number => t !== undefined);
  if (known.length > 0) next.firstAt = record ? Math.min(next.firstAt, ...known) : Math.min(...known);

  if (observation.event) next.events = appendEvent(next.events, observation.event);
  next.search = searchText(next);
  return next;
}

/** True once the record is in a ready state (SUCCESS, FAILURE, REVOKED). */
export function isReady(record: TaskRecord): boolean {
  return READY_STATES.has(record.state);
}
