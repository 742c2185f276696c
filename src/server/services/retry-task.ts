// Retrying a task: its captured message is sent again with its real arguments and its embed
// (chain remainder, chord, callbacks, errbacks), same id and retries + 1, to the same exchange
// and routing key, so a failed workflow step resumes the rest of the workflow. Without a message
// of its own, the workflow plan in its parent's or root's message stands in for it. A member of a
// chord header has the chord's join rebuilt first, so the body fires once with every result.

import { randomUUID } from "node:crypto";
import { buildTaskMessage, DisabledBackend, type Message, READY_STATES, REVOKED, type ResultMeta, SUCCESS, parseTaskMessage, type SignatureDict, type TaskMessageSpec, type TaskRequest } from "../../celery/index";
import { z } from "zod";
import { AppError } from "../app-error";
import type { Runtime } from "../runtime/runtime";
import { PLANNED, type TaskDetail } from "../store/index";
import { taskId } from "./action-input";
import { capturedToMessage, readCapturedMessage } from "./captured-message";
import { type PlannedStep, replanStep } from "./replan-step";
import { type ChordJoinPlan, describeSend, executeSend, type MessagePreview, routeOf, type SendPlan, unavailableOnFailure } from "./send-plan";

export const retryTaskInput = z.object({
  taskId,
  /**
   * Send under a fresh task id (root_id and parent_id kept) instead of the same id. Unset: the
   * same id, except for a REVOKED task, which workers would discard again (they keep revoked ids).
   */
  newId: z.boolean().optional(),
});
export type RetryTaskInput = z.input<typeof retryTaskInput>;

/** A retry worked out before sending. */
export interface RetryPlan {
  task: TaskDetail;
  /**
   * "captured": the message as published; "plan": rebuilt from the workflow plan in an earlier
   * captured message (the chain after it resumes); "resultExtended": rebuilt from the backend's
   * JSON arguments alone.
   */
  source: "captured" | "plan" | "resultExtended";
  send: SendPlan;
  warnings: string[];
}

export interface RetryPreview {
  taskId: string;
  name: string | null;
  state: string;
  source: RetryPlan["source"];
  message: MessagePreview;
  warnings: string[];
}

export interface RetryResult {
  /** The task retried. */
  taskId: string;
  /** The id the message was sent under (the same, or the fresh one with newId). */
  sentId: string;
  /** The chord whose join was rebuilt, when the task is a chord header member. */
  chordGroupId: string | null;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The task's result document, or null when no result backend is configured. */
async function resultDocument(runtime: Runtime, id: string): Promise<ResultMeta | null> {
  const { backend } = runtime.app;
  if (backend instanceof DisabledBackend) return null;
  return unavailableOnFailure(`read the result of ${id} from ${backend.displayUrl}`, () => backend.getTaskMeta(id));
}

/**
 * A message for the task rebuilt from parts (no captured message of its own): under `sentId`,
 * one more retry, in the task's workflow, from this app.
 */
function rebuiltMessage(runtime: Runtime, task: TaskDetail, sentId: string, spec: Omit<TaskMessageSpec, "id" | "retries" | "root_id" | "parent_id" | "origin" | "reply_to">): Message {
  return buildTaskMessage({
    group: task.groupId,
    group_index: task.groupIndex,
    ...spec,
    id: sentId,
    retries: (task.retries ?? 0) + 1,
    root_id: task.rootId ?? task.id,
    parent_id: task.parentId,
    origin: runtime.app.origin,
    reply_to: runtime.app.oid,
  });
}

/**
 * The task's real JSON arguments: the result document's (result_extended: what the worker ran
 * with), else the store's. The backend comes first because the store's may still be a planned
 * step's partial signature arguments when the step's own message was never captured.
 */
async function extendedArguments(runtime: Runtime, task: TaskDetail): Promise<{ args: unknown[]; kwargs: Record<string, unknown> } | null> {
  const meta = await resultDocument(runtime, task.id);
  if (Array.isArray(meta?.args)) return { args: meta.args, kwargs: meta.kwargs ?? {} };
  const args = parseJson(task.argsJson);
  const kwargs = parseJson(task.kwargsJson) ?? {};
  if (!Array.isArray(args) || typeof kwargs !== "object" || kwargs === null || Array.isArray(kwargs)) return null;
  return { args, kwargs: kwargs as Record<string, unknown> };
}

/**
 * What a planned step ran with: its result document's arguments (result_extended), else, for a
 * chain step, the previous step's result in front of the planned arguments (none for an
 * immutable signature), as the worker that sent it did.
 */
async function plannedArguments(runtime: Runtime, task: TaskDetail, planned: PlannedStep): Promise<{ args: unknown[]; kwargs: Record<string, unknown> } | null> {
  const meta = await resultDocument(runtime, task.id);
  if (Array.isArray(meta?.args)) return { args: meta.args, kwargs: meta.kwargs ?? planned.signature.kwargs };
  if (planned.kind !== "chain" || !task.parentId) return null;
  const parent = await resultDocument(runtime, task.parentId);
  if (parent?.status !== SUCCESS) return null;
  return { args: planned.signature.immutable ? planned.signature.args : [parent.result, ...planned.signature.args], kwargs: planned.signature.kwargs };
}

function listOf(value: SignatureDict | SignatureDict[] | undefined): SignatureDict[] | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value : [value];
}

const MEMBER_WINDOW_SECONDS = 86_400;

/**
 * The chord join to rebuild before a header member is re-sent: the other members' successful
 * results from their result documents, the chord's size, without the member's own entry. Only
 * its own entry is dropped: when several failed members are retried one after another, an
 * earlier one may already have returned and its fresh entry must stay.
 */
async function planChordJoin(runtime: Runtime, task: TaskDetail, request: TaskRequest, warnings: string[]): Promise<ChordJoinPlan | undefined> {
  const groupId = request.group;
  const body = request.embed.chord;
  if (!groupId || !body) return undefined;
  const { backend } = runtime.app;
  if (backend instanceof DisabledBackend) {
    warnings.push(`The task is a member of chord ${groupId}, but no result backend is configured here (CELERY_RESULT_BACKEND), so its join cannot be rebuilt: the chord body will not fire.`);
    return undefined;
  }
  // Header members leave together; a day either side of this one's first sighting finds them all.
  const around = task.firstAt;
  const group = await runtime.store.listGroupMembers(groupId, { from: around - MEMBER_WINDOW_SECONDS, to: around + MEMBER_WINDOW_SECONDS });
  const members = group.members;
  const size = group.size ?? members.length;
  if (group.size === undefined) warnings.push(`The size of chord ${groupId} is not recorded: taking the ${members.length} member(s) the history knows.`);
  else if (members.length < size) warnings.push(`Only ${members.length} of the chord's ${size} members are in the history: results of the others cannot be re-recorded, so the body may never fire.`);
  const others = members.filter((member) => member.id !== task.id);
  const metas = await unavailableOnFailure(`read the chord members' results from ${backend.displayUrl}`, () => backend.getMany(others.map((member) => member.id)));
  const parts: ChordJoinPlan["parts"] = [];
  others.forEach((member, index) => {
    const meta = metas[index]!;
    if (meta instanceof Error) {
      warnings.push(`The result of chord member ${member.id} cannot be read (${meta.message}): retry it too, or the body never fires.`);
    } else if (meta.status === SUCCESS) {
      parts.push({ taskId: member.id, groupIndex: member.groupIndex ?? null, result: meta.result });
    } else if (READY_STATES.has(meta.status)) {
      warnings.push(`Chord member ${member.name ?? ""} ${member.id} also ended ${meta.status}: retry it too, or the body fails again (or never fires).`);
    } else {
      warnings.push(`Chord member ${member.name ?? ""} ${member.id} has not finished (${meta.status}): it joins the chord when it does.`);
    }
  });
  const bodyId = typeof body.options?.task_id === "string" ? body.options.task_id : null;
  const bodyNode = bodyId ? await runtime.store.getTask(bodyId) : null;
  if (bodyNode?.state === SUCCESS) warnings.push(`The chord body ${body.task} ${bodyId} already succeeded: it runs again.`);
  return { groupId, size, parts, drop: [task.id], bodyId, bodyName: body.task };
}

/** Steps the message starts later keep their frozen ids: any of them revoked is discarded on arrival. */
async function warnRevokedContinuation(runtime: Runtime, request: TaskRequest, warnings: string[]): Promise<void> {
  const { chain, chord } = request.embed;
  const ids = [...(chain ?? []), ...(chord ? [chord] : [])].map((sig) => sig.options?.task_id).filter((id): id is string => typeof id === "string");
  const revoked = (await Promise.all(ids.map((id) => runtime.store.getTask(id)))).filter((step) => step?.state === REVOKED);
  if (revoked.length > 0) {
    warnings.push(`Later step(s) ${revoked.map((step) => `${step!.name ?? ""} ${step!.id}`).join(", ")} were revoked: workers discard them on arrival, so the workflow stops there. Relaunch the whole workflow instead.`);
  }
}

/** Works out the retry of one task; throws AppError when it cannot be retried. */
export async function planRetry(runtime: Runtime, input: RetryTaskInput): Promise<RetryPlan> {
  const { taskId: id, newId: askedNewId } = retryTaskInput.parse(input);
  const task = await runtime.store.getTask(id);
  if (!task) throw new AppError("NOT_FOUND", `No task ${id} in the history: it may be older than the retention period, or was never seen.`);
  const label = `${task.name ?? "Task"} ${task.id}`;
  if (task.state === PLANNED) {
    throw new AppError("BAD_INPUT", `${label} is a planned workflow step that was never sent, so there is nothing to retry: retry the step before it (which sends it) or relaunch the workflow.`);
  }
  const warnings: string[] = [];
  if (!READY_STATES.has(task.state)) warnings.push(`The task is ${task.state}, not finished: if it is still queued or running, retrying runs it twice. Revoke it first if it is stuck.`);
  if (task.state === SUCCESS) warnings.push("The task already succeeded: it runs again, and so does whatever its workflow starts after it.");
  // Celery workers keep revoked ids (3 hours by default, across restarts with --statedb) and discard them on arrival.
  const newId = askedNewId ?? task.state === REVOKED;
  if (task.state === REVOKED) {
    warnings.push(newId ? "The task was revoked and workers keep revoked ids, so it is sent under a fresh id." : "The task was revoked and workers keep revoked ids: under the same id the retry is discarded on arrival. Retry with a new id.");
  }
  const sentId = newId ? randomUUID() : task.id;
  let route = routeOf(task);
  if (!route) {
    route = { target: { exchange: "", routingKey: runtime.app.defaultQueue }, queue: runtime.app.defaultQueue };
    warnings.push(`The queue the task went to is unknown: it is sent to the default queue ${JSON.stringify(runtime.app.defaultQueue)}.`);
  }

  const captured = readCapturedMessage(task.messageJson);
  let send: SendPlan;
  let source: RetryPlan["source"];
  let planned: Awaited<ReturnType<typeof replanStep>>;
  if (captured?.kind === "message" && Array.isArray(captured.body)) {
    source = "captured";
    const message = capturedToMessage(captured);
    const { headers, properties } = message;
    const sentRetries = typeof headers.retries === "number" ? headers.retries : 0;
    headers.retries = Math.max(sentRetries, task.retries ?? 0) + 1;
    if (newId) {
      headers.id = sentId;
      properties.correlation_id = sentId;
    }
    // A retry is meant to run now: an eta would hold it back, an expiry long past would revoke it on arrival.
    if (headers.eta) warnings.push(`The original eta ${String(headers.eta)} is dropped: the retry runs as soon as a worker takes it.`);
    if (headers.expires) warnings.push(`The original expiry ${String(headers.expires)} is dropped: the retry does not expire.`);
    headers.eta = null;
    headers.expires = null;
    delete properties.expiration;
    send = { message, ...route };
  } else if ((planned = await replanStep(runtime, task))) {
    source = "plan";
    const ran = await plannedArguments(runtime, task, planned);
    if (!ran) {
      throw new AppError(
        "BAD_INPUT",
        `${label} is planned in ${planned.from}'s captured message, but the arguments it ran with are unknown: enable result_extended in Celery, or install celeriac_capture where the workers run.`,
      );
    }
    warnings.push(`No captured message of its own (its worker runs without celeriac_capture, or the record has not arrived yet): rebuilt from the workflow plan in ${planned.from}'s message, with the ${planned.chain.length} step(s) after it.`);
    const { options } = planned.signature;
    const message = rebuiltMessage(runtime, task, sentId, {
      task: planned.signature.task,
      ...ran,
      callbacks: listOf(options.link),
      errbacks: listOf(options.link_error),
      chain: planned.chain.length > 0 ? planned.chain : null,
      chord: options.chord ?? null,
      group: options.group_id ?? task.groupId,
      group_index: options.group_index ?? task.groupIndex,
      time_limit: options.time_limit,
      soft_time_limit: options.soft_time_limit,
    });
    send = { message, ...route };
  } else {
    if (!task.name) throw new AppError("BAD_INPUT", `${label} has no known task name, so it cannot be re-sent.`);
    const extended = await extendedArguments(runtime, task);
    if (!extended) {
      throw new AppError(
        "BAD_INPUT",
        `${label} has no captured message and no JSON arguments (events carry only truncated reprs, which cannot be re-sent faithfully). Install celeriac_capture in the producer or enable result_extended in Celery, or send the task again by hand.`,
      );
    }
    source = "resultExtended";
    warnings.push("No captured message for this task: it is re-sent from its result_extended arguments, and what its workflow does after it (chain, chord, callbacks) is unknown — the chain after this step cannot resume.");
    const message = rebuiltMessage(runtime, task, sentId, { task: task.name, ...extended });
    send = { message, ...route };
  }
  const request = parseTaskMessage(send.message);
  await warnRevokedContinuation(runtime, request, warnings);
  const chordJoin = await planChordJoin(runtime, task, request, warnings);
  return { task, source, send: chordJoin ? { ...send, chordJoin } : send, warnings };
}

/** What retrying would send, for display (arguments redacted). */
export function describeRetry(plan: RetryPlan, redactKeys: RegExp): RetryPreview {
  return { taskId: plan.task.id, name: plan.task.name ?? null, state: plan.task.state, source: plan.source, message: describeSend(plan.send, redactKeys), warnings: plan.warnings };
}

export async function previewRetry(runtime: Runtime, input: RetryTaskInput): Promise<RetryPreview> {
  return describeRetry(await planRetry(runtime, input), runtime.redactKeys);
}

/** Sends a planned retry. */
export async function executeRetry(runtime: Runtime, plan: RetryPlan): Promise<RetryResult> {
  // Dated before the send: events of the new attempt (STARTED, SUCCESS) come later and win, and
  // an attempt that already finished is not taken back to RETRY.
  const at = Date.now() / 1000;
  const sentId = await executeSend(runtime, plan.send);
  if (sentId === plan.task.id) {
    // Without this the task would show its old FAILURE until the new attempt reports: PENDING and
    // STARTED do not outrank FAILURE, RETRY always applies.
    await runtime.store.applyBatch({
      tasks: [{ id: sentId, source: "capture", state: "RETRY", stateAt: at, event: { type: "celeriac-retried", timestamp: at, fields: { retries: plan.send.message.headers.retries } } }],
      workers: [],
      groups: [],
      edges: [],
    });
  }
  return { taskId: plan.task.id, sentId, chordGroupId: plan.send.chordJoin?.groupId ?? null };
}

/** Retries a task (see the top of this file). */
export async function retryTask(runtime: Runtime, input: RetryTaskInput): Promise<RetryResult> {
  return executeRetry(runtime, await planRetry(runtime, input));
}
