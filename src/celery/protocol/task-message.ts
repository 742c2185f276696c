// Task messages, protocol v2 out and v1/hybrid/v2 in; mirrors celery/app/amqp.py (as_task_v2) and celery/worker/strategy.py.

import { MalformedMessage } from "../errors";
import type { Message, MessageProperties } from "./message";
import { parsePyIsoformat, pyIsoformat } from "./py-isoformat";
import { pyTuple } from "./py-repr";
import { saferepr } from "./saferepr";
import { decodeBody, encodeBody } from "./serialization";
import type { SignatureDict } from "./signature-dict";

/** Everything one task message carries. Field names are the wire names. */
export interface TaskMessageSpec {
  id: string;
  task: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /** `embed.callbacks` (link). */
  callbacks?: SignatureDict[] | null;
  /** `embed.errbacks` (link_error). */
  errbacks?: SignatureDict[] | null;
  /** `embed.chain`: the remaining chain, already reversed (next task last). */
  chain?: SignatureDict[] | null;
  /** `embed.chord`: the chord body this task is a header part of. */
  chord?: SignatureDict | null;
  shadow?: string | null;
  /** A Date is written as Python's isoformat (`+00:00`); a string is sent as is. */
  eta?: string | Date | null;
  expires?: string | Date | null;
  group?: string | null;
  group_index?: number | null;
  retries?: number;
  time_limit?: number | null;
  soft_time_limit?: number | null;
  /** Defaults to the task's own id, as Celery does for an empty root_id. */
  root_id?: string | null;
  parent_id?: string | null;
  /** Default: celery's saferepr of args (as a tuple) / kwargs, 1024 characters at most. */
  argsrepr?: string;
  kwargsrepr?: string;
  /** `gen<pid>@<hostname>` of the sender. */
  origin: string;
  ignore_result?: boolean;
  /** Custom headers, merged after Celery's own (an existing key is replaced in place). */
  headers?: Record<string, unknown>;
  /** The sender's oid; Celery always sets it. */
  reply_to?: string;
  priority?: number;
  /** Seconds until the message expires: the AMQP `expiration` property (ms string, >= 0). */
  expiration?: number;
  delivery_mode?: 1 | 2;
  typedJson?: boolean;
  compression?: "zlib" | "gzip";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof Date);
}

function isoOrNull(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : pyIsoformat(value);
}

/**
 * Builds a protocol v2 task message exactly as Celery 5.2.6 does: header order
 * `lang, task, id, shadow, eta, expires, group, group_index, retries, timelimit, root_id,
 * parent_id, argsrepr, kwargsrepr, origin, ignore_result`, then custom headers (then
 * `compression`); properties `correlation_id, reply_to, delivery_mode[, expiration][, priority]`;
 * body `[args, kwargs, {callbacks, errbacks, chain, chord}]` in json.dumps form. Transports add
 * their own fields (Redis: delivery_info, priority 0 when unset, body_encoding, delivery_tag).
 */
export function buildTaskMessage(spec: TaskMessageSpec): Message {
  const args = spec.args ?? [];
  const kwargs = spec.kwargs ?? {};
  if (!Array.isArray(args)) throw new MalformedMessage(`Task args must be an array (got ${typeof args}) for ${spec.task}.`);
  if (!isPlainObject(kwargs)) throw new MalformedMessage(`Task kwargs must be a plain object for ${spec.task}.`);
  const headers: Record<string, unknown> = {
    lang: "py",
    task: spec.task,
    id: spec.id,
    shadow: spec.shadow ?? null,
    eta: isoOrNull(spec.eta),
    expires: isoOrNull(spec.expires),
    group: spec.group ?? null,
    group_index: spec.group_index ?? null,
    retries: spec.retries ?? 0,
    timelimit: [spec.time_limit ?? null, spec.soft_time_limit ?? null],
    root_id: spec.root_id || spec.id,
    parent_id: spec.parent_id ?? null,
    argsrepr: spec.argsrepr ?? saferepr(pyTuple(args)),
    kwargsrepr: spec.kwargsrepr ?? saferepr(kwargs),
    origin: spec.origin,
    ignore_result: spec.ignore_result ?? false,
    ...spec.headers,
  };
  const properties: MessageProperties = { correlation_id: spec.id, reply_to: spec.reply_to ?? "", delivery_mode: spec.delivery_mode ?? 2 };
  if (spec.expiration !== undefined) properties.expiration = String(Math.max(0, Math.trunc(spec.expiration * 1000)));
  if (spec.priority !== undefined && spec.priority !== null) properties.priority = spec.priority;
  const embed = { callbacks: spec.callbacks ?? null, errbacks: spec.errbacks ?? null, chain: spec.chain ?? null, chord: spec.chord ?? null };
  const encoded = encodeBody([args, kwargs, embed], { typedJson: spec.typedJson, compression: spec.compression });
  if (encoded.compression) headers.compression = encoded.compression;
  return { body: encoded.body, contentType: encoded.contentType, contentEncoding: encoded.contentEncoding, headers, properties };
}

/** The embedded canvas of a request, signatures normalized to the six-key form. */
export interface TaskEmbed {
  callbacks: SignatureDict[] | null;
  errbacks: SignatureDict[] | null;
  chain: SignatureDict[] | null;
  chord: SignatureDict | null;
}

/** A validated task request, whatever protocol version it arrived in. */
export interface TaskRequest {
  /** 2, or 1 for a v1 or hybrid (v1 body with headers) message. */
  protocol: 1 | 2;
  id: string;
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  embed: TaskEmbed;
  lang: string | null;
  root_id: string | null;
  parent_id: string | null;
  group: string | null;
  group_index: number | null;
  retries: number;
  /** ISO-8601 as sent (Python keeps the string for retries); read it with parsePyIsoformat. */
  eta: string | null;
  expires: string | null;
  /** `[hard, soft]` seconds. */
  timelimit: [number | null, number | null];
  shadow: string | null;
  ignore_result: boolean;
  origin: string | null;
  argsrepr: string | null;
  kwargsrepr: string | null;
  /** Celery >= 5.3.5; 0 when absent. */
  replaced_task_nesting: number;
  /** Celery >= 5.3 stamping; null / {} when absent. */
  stamped_headers: string[] | null;
  stamps: Record<string, unknown>;
  reply_to: string | null;
  correlation_id: string | null;
  priority: number | null;
  /** v1 `utc` flag: false means eta/expires are naive local times of the sender. */
  utc: boolean;
  /** Headers that are not part of the protocol (`redelivered`, user headers, ...). */
  headers: Record<string, unknown>;
}

const PROTOCOL_HEADERS = new Set([
  "lang", "task", "id", "shadow", "eta", "expires", "group", "group_index", "retries", "timelimit", "root_id", "parent_id",
  "argsrepr", "kwargsrepr", "origin", "ignore_result", "replaced_task_nesting", "stamped_headers", "stamps", "compression", "meth",
]);

type Fields = Record<string, unknown>;

function fail(field: string, problem: string): never {
  throw new MalformedMessage(`Task message field ${JSON.stringify(field)} ${problem}.`);
}

function requiredString(fields: Fields, name: string): string {
  const value = fields[name];
  if (typeof value !== "string" || value === "") fail(name, value === undefined || value === null ? "is missing" : `must be a non-empty string (got ${JSON.stringify(value)})`);
  return value;
}

function optionalString(fields: Fields, name: string): string | null {
  const value = fields[name];
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string") fail(name, `must be a string or null (got ${JSON.stringify(value)})`);
  return value;
}

function optionalInteger(fields: Fields, name: string): number | null {
  const value = fields[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value)) fail(name, `must be an integer or null (got ${JSON.stringify(value)})`);
  return value;
}

function optionalTimestamp(fields: Fields, name: string): string | null {
  const value = fields[name];
  // kombu >= 5.3 revives typed datetimes; keep the wire's string form either way.
  if (value instanceof Date) return pyIsoformat(value);
  const text = optionalString(fields, name);
  if (text !== null) parsePyIsoformat(text, `Task message field "${name}"`);
  return text;
}

function timeLimit(value: unknown): [number | null, number | null] {
  if (value === undefined || value === null) return [null, null];
  const valid = (part: unknown) => part === null || part === undefined || typeof part === "number";
  if (!Array.isArray(value) || value.length !== 2 || !value.every(valid)) fail("timelimit", `must be [hard, soft] seconds or nulls (got ${JSON.stringify(value)})`);
  return [(value[0] as number | null | undefined) ?? null, (value[1] as number | null | undefined) ?? null];
}

function signature(value: unknown, where: string): SignatureDict {
  if (!isPlainObject(value)) fail(where, `must be a signature object (got ${JSON.stringify(value)})`);
  // Signature.from_dict keeps unknown keys (Celery 5.0's chord_size among them).
  const sig = { task: undefined, args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false, ...value } as Record<string, unknown>;
  if (typeof sig.task !== "string" || sig.task === "") fail(`${where}.task`, "must be a task name");
  if (!Array.isArray(sig.args)) fail(`${where}.args`, "must be an array");
  if (!isPlainObject(sig.kwargs)) fail(`${where}.kwargs`, "must be an object");
  if (!isPlainObject(sig.options)) fail(`${where}.options`, "must be an object");
  if (sig.subtask_type !== null && typeof sig.subtask_type !== "string") fail(`${where}.subtask_type`, "must be a string or null");
  if (typeof sig.immutable !== "boolean") fail(`${where}.immutable`, "must be a boolean");
  return sig as unknown as SignatureDict;
}

function signatureList(value: unknown, where: string): SignatureDict[] | null {
  if (value === undefined || value === null) return null;
  // Celery's maybe_list: a single signature where a list is expected is accepted.
  if (isPlainObject(value)) return [signature(value, `${where}[0]`)];
  if (!Array.isArray(value)) fail(where, `must be an array of signatures or null (got ${JSON.stringify(value)})`);
  return value.map((item, i) => signature(item, `${where}[${i}]`));
}

function parseEmbed(value: unknown): TaskEmbed {
  if (value === undefined || value === null) return { callbacks: null, errbacks: null, chain: null, chord: null };
  if (!isPlainObject(value)) fail("embed", `must be an object with callbacks, errbacks, chain, chord (got ${JSON.stringify(value)})`);
  return {
    callbacks: signatureList(value.callbacks, "embed.callbacks"),
    errbacks: signatureList(value.errbacks, "embed.errbacks"),
    chain: signatureList(value.chain, "embed.chain"),
    chord: value.chord === undefined || value.chord === null ? null : signature(value.chord, "embed.chord"),
  };
}

/** v1 / hybrid body: a dict with the headers' fields inside (celery.worker.strategy.hybrid_to_proto2). */
function fromV1(body: Fields, messageHeaders: Fields): { fields: Fields; args: unknown; kwargs: unknown; embed: TaskEmbed } {
  const fields: Fields = { ...body, group: body.group ?? body.taskset, ...messageHeaders };
  const embed = parseEmbed({ callbacks: body.callbacks, errbacks: body.errbacks, chord: body.chord, chain: null });
  return { fields, args: body.args ?? [], kwargs: body.kwargs ?? {}, embed };
}

function fromV2(body: unknown, headers: Fields): { fields: Fields; args: unknown; kwargs: unknown; embed: TaskEmbed } {
  if (!Array.isArray(body) || body.length !== 3) fail("body", `must be [args, kwargs, embed] for a protocol 2 message (got ${JSON.stringify(body)?.slice(0, 80)})`);
  return { fields: headers, args: body[0], kwargs: body[1], embed: parseEmbed(body[2]) };
}

/**
 * Decodes and validates a task message of any protocol: v2 (`task` header, array body), v1 and
 * hybrid (dict body). Celery 5.3+ headers (`stamps`, `stamped_headers`, `replaced_task_nesting`)
 * are read; unknown headers end up in `headers`. Throws ContentDisallowed / DecodeError for
 * bodies we cannot decode and MalformedMessage, naming the field, for anything else invalid.
 */
export function parseTaskMessage(message: Message): TaskRequest {
  const body = decodeBody(message);
  const messageHeaders: Fields = isPlainObject(message.headers) ? message.headers : {};
  const protocol = isPlainObject(body) ? 1 : 2;
  const { fields, args, kwargs, embed } = protocol === 1 ? fromV1(body as Fields, messageHeaders) : fromV2(body, messageHeaders);
  const id = requiredString(fields, "id");
  const task = requiredString(fields, "task");
  if (!Array.isArray(args)) fail("args", `must be an array (got ${JSON.stringify(args)})`);
  if (!isPlainObject(kwargs)) fail("kwargs", `must be an object (got ${JSON.stringify(kwargs)})`);
  const retries = optionalInteger(fields, "retries") ?? 0;
  if (retries < 0) fail("retries", "must not be negative");
  const ignoreResult = fields.ignore_result ?? false;
  if (typeof ignoreResult !== "boolean") fail("ignore_result", "must be a boolean");
  const stampedHeaders = fields.stamped_headers ?? null;
  if (stampedHeaders !== null && !(Array.isArray(stampedHeaders) && stampedHeaders.every((h) => typeof h === "string"))) fail("stamped_headers", "must be an array of header names or null");
  const stamps = fields.stamps ?? {};
  if (!isPlainObject(stamps)) fail("stamps", "must be an object");
  const priority = message.properties.priority ?? null;
  if (priority !== null && typeof priority !== "number") fail("properties.priority", "must be a number");
  const custom: Fields = {};
  for (const [key, value] of Object.entries(messageHeaders)) if (!PROTOCOL_HEADERS.has(key)) custom[key] = value;
  return {
    protocol,
    id,
    task,
    args,
    kwargs,
    embed,
    lang: optionalString(fields, "lang"),
    root_id: optionalString(fields, "root_id"),
    parent_id: optionalString(fields, "parent_id"),
    group: optionalString(fields, "group"),
    group_index: optionalInteger(fields, "group_index"),
    retries,
    eta: optionalTimestamp(fields, "eta"),
    expires: optionalTimestamp(fields, "expires"),
    timelimit: timeLimit(fields.timelimit),
    shadow: optionalString(fields, "shadow"),
    ignore_result: ignoreResult,
    origin: optionalString(fields, "origin"),
    argsrepr: optionalString(fields, "argsrepr"),
    kwargsrepr: optionalString(fields, "kwargsrepr"),
    replaced_task_nesting: optionalInteger(fields, "replaced_task_nesting") ?? 0,
    stamped_headers: stampedHeaders as string[] | null,
    stamps,
    reply_to: typeof message.properties.reply_to === "string" && message.properties.reply_to !== "" ? message.properties.reply_to : null,
    correlation_id: typeof message.properties.correlation_id === "string" ? message.properties.correlation_id : null,
    priority,
    utc: protocol === 2 || (body as Fields).utc !== false,
    headers: custom,
  };
}
