// Encoding, decoding and validation of the documents a key-value result backend stores; mirrors celery.backends.base.BaseKeyValueStoreBackend (_get_result_meta, _store_result, _restore_group) and RedisBackend's chord members.

import { BackendError } from "../errors";
import { pyJsonParse, pyJsonStringify } from "../protocol/py-json";
import { EXCEPTION_STATES, PENDING } from "../states";
import type { ChordPart, ResultMeta, ResultTuple } from "./backend";

// Celery's order (_get_result_meta then `meta['task_id'] = …`): the extended fields and any stamp
// fields come after parent_id; task_id is always last.
const HEAD_FIELDS = ["status", "result", "traceback", "children", "date_done"] as const;
const EXTENDED_FIELDS = ["name", "args", "kwargs", "worker", "retries", "queue"] as const;
const PLACED = new Set<string>([...HEAD_FIELDS, "group_id", "parent_id", ...EXTENDED_FIELDS, "task_id"]);

/**
 * Serializes a result document byte for byte as Celery's Redis backend does: Celery's field
 * order, `group_id`/`parent_id` only when set, extended fields only when present, extra fields
 * (stamps) before `task_id`, which is last.
 */
export function encodeResultMeta(meta: ResultMeta): string {
  const ordered: Record<string, unknown> = {};
  for (const field of HEAD_FIELDS) ordered[field] = meta[field] ?? null;
  if (meta.group_id) ordered.group_id = meta.group_id;
  if (meta.parent_id) ordered.parent_id = meta.parent_id;
  for (const field of EXTENDED_FIELDS) if (meta[field] !== undefined) ordered[field] = meta[field];
  for (const [field, value] of Object.entries(meta)) if (!PLACED.has(field)) ordered[field] = value;
  ordered.task_id = meta.task_id;
  return pyJsonStringify(ordered);
}

/** What a backend reports for a task it holds nothing for (Celery: `{"status": "PENDING", "result": None}`). */
export function pendingMeta(taskId: string): ResultMeta {
  return { status: PENDING, result: null, traceback: null, children: null, date_done: null, task_id: taskId };
}

function parse(text: string, key: string): unknown {
  try {
    return pyJsonParse(text, `the value of ${key}`);
  } catch (error) {
    throw new BackendError(`${(error as Error).message}: the result backend holds something Celery did not write; delete the key or check result_serializer is json`, { cause: error });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date) && !Buffer.isBuffer(value);
}

/**
 * Reads a stored result document from any Celery version (naive or offset `date_done`, kombu 5.3+
 * typed wrappers, stamp fields), keeping every field. Throws BackendError naming the key when the
 * value is not JSON, not an object, lacks `status`, or carries a malformed exception or children.
 */
export function decodeResultMeta(text: string, key: string, taskId: string): ResultMeta {
  const doc = parse(text, key);
  if (!isRecord(doc)) throw new BackendError(`${key} holds ${describe(doc)}, not a result document (a JSON object with "status")`);
  if (typeof doc.status !== "string" || doc.status === "") throw new BackendError(`${key} holds a result document without a "status" string: ${text.slice(0, 120)}`);
  const result = doc.result ?? null;
  if (EXCEPTION_STATES.has(doc.status) && result !== null && !(isRecord(result) && typeof result.exc_type === "string")) {
    throw new BackendError(`${key} is ${doc.status} but its result is not an exception document ({"exc_type", "exc_message", "exc_module"}): ${text.slice(0, 120)}`);
  }
  const children = doc.children ?? null;
  if (children !== null && !Array.isArray(children)) throw new BackendError(`${key} has "children" that is not a list of result tuples`);
  const dateDone = doc.date_done instanceof Date ? doc.date_done.toISOString().replace("Z", "+00:00") : (doc.date_done ?? null);
  return {
    ...doc,
    status: doc.status,
    result,
    traceback: typeof doc.traceback === "string" ? doc.traceback : null,
    children: children === null ? null : children.map((child, i) => validateResultTuple(child, `${key} children[${i}]`)),
    date_done: typeof dateDone === "string" ? dateDone : null,
    task_id: typeof doc.task_id === "string" ? doc.task_id : taskId,
  };
}

/** decodeResultMeta for a batch read: a missing value is PENDING, an undecodable one its BackendError. */
export function decodeResultMetaOrError(text: string | null, key: string, taskId: string): ResultMeta | BackendError {
  if (text === null) return pendingMeta(taskId);
  try {
    return decodeResultMeta(text, key, taskId);
  } catch (error) {
    if (error instanceof BackendError) return error;
    throw error;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a JSON list";
  return `a JSON ${typeof value}`;
}

/**
 * Checks (and normalizes) a result tuple as celery.result.result_from_tuple accepts it:
 * `[[id, parent|null], null|[children…]]`, where the head may also be a bare id.
 */
export function validateResultTuple(value: unknown, where: string): ResultTuple {
  if (!Array.isArray(value) || value.length !== 2) throw new BackendError(`${where} is not a result tuple [[id, parent], children]: ${JSON.stringify(value)?.slice(0, 120)}`);
  const [head, nodes] = value as [unknown, unknown];
  const [id, parent] = Array.isArray(head) ? (head as [unknown, unknown]) : [head, null];
  if (typeof id !== "string" || id === "") throw new BackendError(`${where} has no task/group id: ${JSON.stringify(value).slice(0, 120)}`);
  if (nodes !== null && !Array.isArray(nodes)) throw new BackendError(`${where} has members that are not a list`);
  return [
    [id, parent ? validateResultTuple(parent, `${where} parent`) : null],
    nodes === null ? null : nodes.map((node, i) => validateResultTuple(node, `${where}[${i}]`)),
  ];
}

/** `{"result": <group tuple>}`, the value of `celery-taskset-meta-<gid>` (GroupResult.save). */
export function encodeGroupMeta(result: ResultTuple): string {
  return pyJsonStringify({ result });
}

/** Reads a saved group; BackendError naming the key when it is not `{"result": <group tuple>}`. */
export function decodeGroupMeta(text: string, key: string): ResultTuple {
  const doc = parse(text, key);
  if (!isRecord(doc) || !("result" in doc)) throw new BackendError(`${key} holds ${describe(doc)} without "result": not a saved GroupResult`);
  return validateResultTuple(doc.result, `${key} result`);
}

/** A chord header member as RedisBackend.on_chord_part_return stores it: `[1, "<tid>", "<STATE>", <result>]`. */
export function encodeChordPart(part: ChordPart): string {
  return pyJsonStringify([1, part.taskId, part.state, part.result]);
}

/** Reads a `.j` member back; the stored member carries no group_index (it is the zset score). */
export function decodeChordPart(text: string, key: string): ChordPart {
  const doc = parse(text, key);
  if (!Array.isArray(doc) || doc.length !== 4 || typeof doc[1] !== "string" || typeof doc[2] !== "string") {
    throw new BackendError(`${key} holds a chord member that is not [1, task_id, state, result]: ${text.slice(0, 120)}`);
  }
  return { taskId: doc[1], state: doc[2], result: doc[3], groupIndex: null };
}
