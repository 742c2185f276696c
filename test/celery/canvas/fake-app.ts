// A recording CanvasApp for canvas tests, plus helpers to compare what it recorded with the
// messages Celery 5.2.6 put on the wire (/work/shared/celery-reference/vectors).

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AsyncResult, CanvasApp, GroupResult, SignatureDict, TaskOptions } from "../../../src/celery/index";

type AnyResult = AsyncResult | GroupResult;

/** Minimal stand-ins for the real results: an id and a mutable parent (and a group's members). */
export class FakeResult {
  constructor(
    readonly id: string,
    public parent: AnyResult | null = null,
  ) {}
}
export class FakeGroupResult extends FakeResult {
  constructor(
    id: string,
    readonly results: AnyResult[],
    parent: AnyResult | null = null,
  ) {
    super(id, parent);
  }
}

export interface SentTask {
  /** The id the message gets: options.task_id, or a fresh one when the canvas left it to the app. */
  id: string;
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: TaskOptions;
}

/** Records every sendTask and setChordSize, in order, in `log`. */
export class RecordingApp implements CanvasApp {
  readonly oid = randomUUID();
  readonly sent: SentTask[] = [];
  readonly log: string[] = [];
  readonly chordSizes: [string, number][] = [];

  async sendTask(name: string, args: unknown[], kwargs: Record<string, unknown>, options: TaskOptions): Promise<AsyncResult> {
    // What a real app would do: the JSON round trip proves everything handed over is plain data.
    const plain = JSON.parse(JSON.stringify({ name, args, kwargs, options })) as Omit<SentTask, "id">;
    const id = plain.options.task_id ?? this.newId();
    this.sent.push({ id, ...plain });
    this.log.push(`send ${name}`);
    return this.asyncResult(id);
  }
  async setChordSize(groupId: string, size: number): Promise<void> {
    this.chordSizes.push([groupId, size]);
    this.log.push(`chord size ${size}`);
  }
  asyncResult(id: string, parent: AnyResult | null = null): AsyncResult {
    return new FakeResult(id, parent) as unknown as AsyncResult;
  }
  groupResult(id: string, results: AnyResult[], parent: AnyResult | null = null): GroupResult {
    return new FakeGroupResult(id, results, parent) as unknown as GroupResult;
  }
  newId(): string {
    return randomUUID();
  }
}

/** The parts of a task message the canvas decides, in the message's own names. */
export interface WireTask {
  task: string;
  id: string | undefined;
  group: unknown;
  group_index: unknown;
  root_id: unknown;
  parent_id: unknown;
  body: [unknown[], Record<string, unknown>, { callbacks: unknown; errbacks: unknown; chain: unknown; chord: unknown }];
}

const listOrNull = (value: unknown): unknown => (value === undefined || value === null ? null : Array.isArray(value) ? value : [value]);

/** A recorded sendTask as the message an app builds from it (a client's root_id defaults to the task's own id). */
export function wireOf(sent: SentTask): WireTask {
  const o = sent.options;
  return {
    task: sent.name,
    id: sent.id,
    group: o.group_id ?? null,
    group_index: o.group_index ?? null,
    root_id: o.root_id ?? sent.id,
    parent_id: o.parent_id ?? null,
    body: [sent.args, sent.kwargs, { callbacks: listOrNull(o.link), errbacks: listOrNull(o.link_error), chain: o.chain ?? null, chord: o.chord ?? null }],
  };
}

interface CapturedMessage {
  envelope: { headers: Record<string, unknown> };
  body_decoded: [unknown[], Record<string, unknown>, Record<string, unknown>];
}

/** The same parts of a captured message. */
export function wireOfCaptured(message: CapturedMessage): WireTask {
  const h = message.envelope.headers;
  return { task: h.task as string, id: h.id as string, group: h.group, group_index: h.group_index, root_id: h.root_id, parent_id: h.parent_id, body: message.body_decoded as WireTask["body"] };
}

export function capturedTasks(scenario: string): CapturedMessage[] {
  const vector = JSON.parse(readFileSync(`/work/shared/celery-reference/vectors/${scenario}.redis.json`, "utf8")) as { task_messages: CapturedMessage[] };
  return vector.task_messages;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * JSON text with every UUID replaced by its order of first appearance, so two runs with different
 * random ids compare equal exactly when their id relationships (and everything else) are the same.
 */
export function canonical(value: unknown): string {
  const seen = new Map<string, number>();
  return JSON.stringify(value).replace(UUID, (id) => {
    if (!seen.has(id)) seen.set(id, seen.size);
    return `<id ${seen.get(id)}>`;
  });
}

/** Every signature dict inside a value (embeds, options, kwargs), outermost first. */
export function signatureDicts(value: unknown, out: SignatureDict[] = []): SignatureDict[] {
  if (Array.isArray(value)) {
    for (const item of value) signatureDicts(item, out);
  } else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (typeof record.task === "string" && "subtask_type" in record && "options" in record) out.push(record as unknown as SignatureDict);
    for (const item of Object.values(record)) signatureDicts(item, out);
  }
  return out;
}
