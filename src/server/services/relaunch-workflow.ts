// Relaunching a workflow. "all": the whole canvas again from the root's captured message, every
// frozen step (chain steps, chord header and body, callbacks) under a new id, consistently, the
// new root linked to the old one. "failedOnly": each failed step whose predecessors succeeded is
// retried (retry-task.ts), succeeded steps are left alone.

import { randomUUID } from "node:crypto";
import { FAILURE, SUCCESS } from "../../celery/index";
import { z } from "zod";
import { AppError } from "../app-error";
import type { Runtime } from "../runtime/runtime";
import type { Workflow, WorkflowNode } from "../store/index";
import { taskId } from "./action-input";
import { capturedToMessage, readCapturedMessage } from "./captured-message";
import { describeRetry, executeRetry, planRetry, type RetryPlan, type RetryPreview } from "./retry-task";
import { describeSend, executeSend, type MessagePreview, routeOf, type SendPlan } from "./send-plan";

export const relaunchWorkflowInput = z.object({ rootId: taskId, mode: z.enum(["all", "failedOnly"]) });
export type RelaunchWorkflowInput = z.input<typeof relaunchWorkflowInput>;

/** A workflow step a relaunch leaves alone, and why. */
export interface SkippedStep {
  taskId: string;
  name: string | null;
  state: string;
  reason: string;
}

export interface RelaunchPreview {
  rootId: string;
  mode: "all" | "failedOnly";
  /** "all": the new root's message, whose embed carries the whole plan under new ids. */
  message: MessagePreview | null;
  /** "failedOnly": the steps retried. */
  retries: RetryPreview[];
  skipped: SkippedStep[];
  warnings: string[];
}

export interface RelaunchResult {
  rootId: string;
  /** "all": the new workflow's root id. */
  newRootId: string | null;
  /** Ids of the messages sent. */
  sentIds: string[];
}

// Keys under which a message's headers and embedded signatures name tasks and groups.
const ID_KEYS = new Set(["id", "task_id", "group_id", "group", "root_id", "parent_id", "correlation_id"]);

/** Every task or group id the message defines: its own and each frozen step's in the embed. */
function definedIds(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) definedIds(item, into);
  else if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if ((key === "task_id" || key === "group_id") && typeof inner === "string" && inner !== "") into.add(inner);
      else definedIds(inner, into);
    }
  }
  return into;
}

/**
 * A copy with each id under an id key replaced by its new id. Walks signature kwargs too: a
 * chord's header and body and a group's tasks live there; a plain argument is changed only if it
 * sits under an id key and equals one of the renewed ids.
 */
function remapIds(value: unknown, ids: ReadonlyMap<string, string>, key?: string): unknown {
  if (typeof value === "string") return key !== undefined && ID_KEYS.has(key) ? (ids.get(value) ?? value) : value;
  if (Array.isArray(value)) return value.map((item) => remapIds(item, ids));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([inner, item]) => [inner, remapIds(item, ids, inner)]));
  }
  return value;
}

interface AllPlan {
  send: SendPlan;
  newRootId: string;
  warnings: string[];
}

async function planAll(runtime: Runtime, rootId: string): Promise<AllPlan> {
  const root = await runtime.store.getTask(rootId);
  if (!root) throw new AppError("NOT_FOUND", `No task ${rootId} in the history: it may be older than the retention period, or was never seen.`);
  const captured = readCapturedMessage(root.messageJson);
  if (captured?.kind !== "message" || !Array.isArray(captured.body)) {
    throw new AppError("BAD_INPUT", `The root ${rootId} has no captured message, so the workflow's plan is unknown and cannot be relaunched: install celeriac_capture in the producer, or use "failed steps only".`);
  }
  if (typeof captured.headers.group === "string" && captured.headers.group !== "") {
    throw new AppError("BAD_INPUT", `The root ${rootId} is a member of group ${captured.headers.group}: relaunching one member cannot rebuild the group. Relaunch with "failed steps only", or apply the canvas again from your app.`);
  }
  const [args, kwargs, embed] = captured.body as [unknown, unknown, unknown];
  const ids = new Map([...definedIds(embed, new Set([rootId]))].map((id) => [id, randomUUID()]));
  const newRootId = ids.get(rootId)!;
  const message = capturedToMessage({ ...captured, body: [args, kwargs, remapIds(embed, ids)] });
  message.headers = remapIds(message.headers, ids) as Record<string, unknown>;
  message.headers.root_id = newRootId;
  message.headers.retries = 0;
  message.properties = remapIds(message.properties, ids) as Record<string, unknown>;
  const warnings: string[] = [];
  if (message.headers.eta) warnings.push(`The original eta ${String(message.headers.eta)} is dropped: the relaunch runs at once.`);
  if (message.headers.expires) warnings.push(`The original expiry ${String(message.headers.expires)} is dropped.`);
  message.headers.eta = null;
  message.headers.expires = null;
  delete message.properties.expiration;
  const route = routeOf(root) ?? { target: { exchange: "", routingKey: runtime.app.defaultQueue }, queue: runtime.app.defaultQueue };
  warnings.push(`${ids.size} task/group id(s) are renewed; unfrozen callbacks get theirs when sent. Side effects of the first run (emails sent, rows written) happen again.`);
  return { send: { message, ...route }, newRootId, warnings };
}

/** Nodes whose results fed `node`: chain/chord predecessors (a group stands for its members), else its parent. */
function predecessors(workflow: Workflow, node: WorkflowNode): WorkflowNode[] {
  const byId = new Map(workflow.nodes.map((candidate) => [candidate.id, candidate]));
  const incoming = workflow.edges.filter((edge) => edge.toId === node.id && (edge.kind === "chain" || edge.kind === "chord"));
  const found: WorkflowNode[] = [];
  for (const edge of incoming) {
    const task = byId.get(edge.fromId);
    if (task) found.push(task);
    else found.push(...workflow.nodes.filter((candidate) => candidate.groupId === edge.fromId));
  }
  if (incoming.length === 0 && node.parentId) {
    const parent = byId.get(node.parentId);
    if (parent) found.push(parent);
  }
  return found;
}

interface FailedPlan {
  retries: RetryPlan[];
  skipped: SkippedStep[];
}

async function planFailed(runtime: Runtime, rootId: string): Promise<FailedPlan> {
  const workflow = await runtime.store.getWorkflow(rootId);
  if (workflow.nodes.length === 0) throw new AppError("NOT_FOUND", `No workflow with root ${rootId} in the history.`);
  const retries: RetryPlan[] = [];
  const skipped: SkippedStep[] = [];
  for (const node of workflow.nodes.filter((candidate) => candidate.state === FAILURE)) {
    const skip = (reason: string) => skipped.push({ taskId: node.id, name: node.name ?? null, state: node.state, reason });
    const blocking = predecessors(workflow, node).filter((before) => before.state !== SUCCESS);
    if (blocking.length > 0) {
      skip(`runs again once ${blocking.map((before) => `${before.name ?? before.id} (${before.state})`).join(", ")} succeed(s)`);
      continue;
    }
    try {
      retries.push(await planRetry(runtime, { taskId: node.id }));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      skip(error.message);
    }
  }
  return { retries, skipped };
}

/** What relaunching would send. */
export async function previewRelaunch(runtime: Runtime, input: RelaunchWorkflowInput): Promise<RelaunchPreview> {
  const { rootId, mode } = relaunchWorkflowInput.parse(input);
  if (mode === "all") {
    const plan = await planAll(runtime, rootId);
    return { rootId, mode, message: describeSend(plan.send, runtime.redactKeys), retries: [], skipped: [], warnings: plan.warnings };
  }
  const plan = await planFailed(runtime, rootId);
  const warnings = plan.retries.length === 0 ? ["No failed step can be retried now: there is nothing to relaunch."] : [];
  return { rootId, mode, message: null, retries: plan.retries.map((retry) => describeRetry(retry, runtime.redactKeys)), skipped: plan.skipped, warnings };
}

/** Relaunches the workflow (see the top of this file). */
export async function relaunchWorkflow(runtime: Runtime, input: RelaunchWorkflowInput): Promise<RelaunchResult> {
  const { rootId, mode } = relaunchWorkflowInput.parse(input);
  if (mode === "all") {
    const plan = await planAll(runtime, rootId);
    const sentId = await executeSend(runtime, plan.send);
    const link = { fromId: rootId, toId: plan.newRootId, kind: "relaunch" as const };
    await runtime.store.applyBatch({ tasks: [], workers: [], groups: [], edges: [{ rootId, ...link }, { rootId: plan.newRootId, ...link }] });
    return { rootId, newRootId: plan.newRootId, sentIds: [sentId] };
  }
  const plan = await planFailed(runtime, rootId);
  if (plan.retries.length === 0) throw new AppError("BAD_INPUT", `No failed step of workflow ${rootId} can be retried now${plan.skipped.length ? `: ${plan.skipped.map((step) => `${step.name ?? step.taskId}: ${step.reason}`).join("; ")}` : ""}.`);
  const sentIds: string[] = [];
  for (const retry of plan.retries) sentIds.push((await executeRetry(runtime, retry)).sentId);
  return { rootId, newRootId: null, sentIds };
}
