// One message an action will publish, planned before anything is sent: the preview shows it
// (redacted) and applying sends exactly it. Shared by retry, relaunch, bulk retry and send.

import { parseTaskMessage, type Message, type PublishTarget, type SignatureDict } from "../../celery/index";
import { AppError } from "../app-error";
import type { Runtime } from "../runtime/runtime";
import type { TaskDetail } from "../store/index";
import { redactValue } from "./redact";

/** Rebuilding a chord's join before a header member is re-sent (see ResultBackend.restoreChordJoin). */
export interface ChordJoinPlan {
  groupId: string;
  size: number;
  /** Members whose results are re-recorded: [taskId, groupIndex, result]. */
  parts: { taskId: string; groupIndex: number | null; result: unknown }[];
  /** Members whose entries are removed: the one re-sent. */
  drop: string[];
  /** The body that fires once every member returned. */
  bodyId: string | null;
  bodyName: string;
}

export interface SendPlan {
  message: Message;
  target: PublishTarget;
  /** Declared before publishing, when known. */
  queue?: string;
  chordJoin?: ChordJoinPlan;
}

/** A step the message starts after it runs, from its embed. */
export interface ContinuationStep {
  kind: "chain" | "chord" | "link" | "link_error";
  name: string;
  taskId: string | null;
}

/** A planned message as a preview shows it; args and kwargs are the real values, redacted. */
export interface MessagePreview {
  taskId: string;
  name: string;
  queue: string | null;
  exchange: string;
  routingKey: string;
  args: unknown;
  kwargs: unknown;
  retries: number;
  rootId: string | null;
  parentId: string | null;
  groupId: string | null;
  groupIndex: number | null;
  eta: string | null;
  expires: string | null;
  priority: number | null;
  /** What runs after it: the chain remainder in run order, the chord body, callbacks and errbacks. */
  continuation: ContinuationStep[];
  /** Set when the chord's join is rebuilt first so the body fires once with every result. */
  chordJoin: { groupId: string; size: number; recorded: string[]; dropped: string[]; bodyId: string | null; bodyName: string } | null;
}

function step(kind: ContinuationStep["kind"], sig: SignatureDict): ContinuationStep {
  const id = sig.options?.task_id;
  return { kind, name: sig.task, taskId: typeof id === "string" ? id : null };
}

/** Where the task's message went: its exchange and routing key, or its queue through the default exchange. */
export function routeOf(task: TaskDetail): { target: PublishTarget; queue?: string } | null {
  if (task.exchange !== undefined && task.routingKey) return { target: { exchange: task.exchange, routingKey: task.routingKey }, queue: task.queue ?? (task.exchange === "" ? task.routingKey : undefined) };
  if (task.queue) return { target: { exchange: "", routingKey: task.queue }, queue: task.queue };
  return null;
}

/** The preview of a planned message, its arguments redacted with the runtime's key pattern. */
export function describeSend(plan: SendPlan, redactKeys: RegExp): MessagePreview {
  const request = parseTaskMessage(plan.message);
  const { chain, chord, callbacks, errbacks } = request.embed;
  const join = plan.chordJoin;
  return {
    taskId: request.id,
    name: request.task,
    queue: plan.queue ?? null,
    exchange: plan.target.exchange,
    routingKey: plan.target.routingKey,
    args: redactValue(request.args, redactKeys),
    kwargs: redactValue(request.kwargs, redactKeys),
    retries: request.retries,
    rootId: request.root_id,
    parentId: request.parent_id,
    groupId: request.group,
    groupIndex: request.group_index,
    eta: request.eta,
    expires: request.expires,
    priority: request.priority,
    continuation: [
      ...[...(chain ?? [])].reverse().map((sig) => step("chain", sig)),
      ...(chord ? [step("chord", chord)] : []),
      ...(callbacks ?? []).map((sig) => step("link", sig)),
      ...(errbacks ?? []).map((sig) => step("link_error", sig)),
    ],
    chordJoin: join ? { groupId: join.groupId, size: join.size, recorded: join.parts.map((part) => part.taskId), dropped: join.drop, bodyId: join.bodyId, bodyName: join.bodyName } : null,
  };
}

/** Sends a planned message: rebuilds the chord join first when planned, then publishes. Returns the id sent. */
export async function executeSend(runtime: Runtime, plan: SendPlan): Promise<string> {
  const { app } = runtime;
  const join = plan.chordJoin;
  if (join) {
    const parts = join.parts.map((part) => ({ taskId: part.taskId, state: "SUCCESS", result: part.result, groupIndex: part.groupIndex }));
    await unavailableOnFailure(`rebuild the join of chord ${join.groupId} in the result backend ${app.backend.displayUrl}`, () => app.backend.restoreChordJoin(join.groupId, parts, join.size, join.drop));
  }
  const result = await unavailableOnFailure(`publish to the broker ${app.broker.displayUrl}`, () => app.sendMessage(plan.message, plan.target, plan.queue));
  return result.id;
}

/** Runs `work`; a failure of the broker or backend becomes an AppError saying what could not be done. */
export async function unavailableOnFailure<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("UNAVAILABLE", `Could not ${what}: ${(error as Error).message}. Check that it is reachable, then try again.`);
  }
}
