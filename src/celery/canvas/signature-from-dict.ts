// Rebuilds the right canvas class from a signature dict met on the wire; mirrors celery.canvas.Signature.from_dict / maybe_signature.

import { MalformedMessage } from "../errors";
import type { SignatureDict } from "../protocol/signature-dict";
import type { TaskOptions } from "../protocol/task-options";
import type { CanvasApp } from "./canvas-app";
import { Chain } from "./chain";
import { Chord } from "./chord";
import { Chunks } from "./chunks";
import { Group } from "./group";
import { Signature } from "./signature";
import { XMap } from "./x-map";

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

function malformed(what: string, path: string): never {
  throw new MalformedMessage(`${path} is not a Celery signature: ${what}. Expected {task, args, kwargs, options, subtask_type, immutable}.`);
}

function checked(value: unknown, path: string): SignatureDict {
  if (!isObject(value)) malformed(`got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`, path);
  if (typeof value.task !== "string") malformed("`task` must be a string", path);
  if (value.args !== undefined && !Array.isArray(value.args)) malformed("`args` must be an array", path);
  if (value.kwargs !== undefined && !isObject(value.kwargs)) malformed("`kwargs` must be an object", path);
  if (value.options !== undefined && !isObject(value.options)) malformed("`options` must be an object", path);
  if (value.immutable !== undefined && typeof value.immutable !== "boolean") malformed("`immutable` must be a boolean", path);
  const type = value.subtask_type ?? null;
  if (type !== null && type !== "chain" && type !== "group" && type !== "chord") malformed(`unknown subtask_type ${JSON.stringify(type)}`, path);
  return value as unknown as SignatureDict;
}

function taskList(value: unknown, path: string, app: CanvasApp | undefined): Signature[] {
  if (!Array.isArray(value)) malformed("`kwargs.tasks` must be an array of signatures", path);
  return value.map((item, index) => build(item, `${path}.kwargs.tasks[${index}]`, app));
}

function build(value: unknown, path: string, app: CanvasApp | undefined): Signature {
  if (value instanceof Signature) return app ? value.bind(app) : value;
  const dict = checked(value, path);
  const kwargs = dict.kwargs ?? {};
  const options: TaskOptions = { ...(dict.options ?? {}) };
  switch (dict.subtask_type ?? null) {
    case "chain":
      return new Chain(taskList(kwargs.tasks, path, app), options, app);
    case "group":
      return new Group(taskList(kwargs.tasks, path, app), options, app);
    case "chord": {
      const { header, body, ...inner } = kwargs;
      const rebuiltHeader = Array.isArray(header) ? header.map((item, index) => build(item, `${path}.kwargs.header[${index}]`, app)) : build(header, `${path}.kwargs.header`, app);
      const rebuiltBody = body === null || body === undefined ? null : build(body, `${path}.kwargs.body`, app);
      return new Chord(rebuiltHeader, rebuiltBody, options, app, { args: dict.args ?? [], kwargs: inner, immutable: dict.immutable ?? false });
    }
  }
  // map/starmap/chunks travel with subtask_type null; recognise them by name when they have their shape.
  const plainShape = (dict.args ?? []).length === 0 && dict.immutable === true && isObject(kwargs.task) && Array.isArray(kwargs.it);
  if (plainShape && (dict.task === "celery.map" || dict.task === "celery.starmap") && Object.keys(kwargs).length === 2) {
    return new XMap(dict.task, build(kwargs.task, `${path}.kwargs.task`, app), kwargs.it as unknown[], options, app);
  }
  if (plainShape && dict.task === "celery.chunks" && Object.keys(kwargs).length === 3 && Number.isInteger(kwargs.n) && (kwargs.n as number) > 0) {
    return new Chunks(build(kwargs.task, `${path}.kwargs.task`, app), kwargs.it as unknown[][], kwargs.n as number, options, app);
  }
  return new Signature({ task: dict.task, args: dict.args, kwargs, options, subtask_type: null, immutable: dict.immutable }, app);
}

/**
 * The signature a dict describes, as the right class: Chain, Group or Chord from `subtask_type`;
 * XMap or Chunks from the task names celery.map / celery.starmap / celery.chunks; else a plain
 * Signature. Nested signatures in kwargs (chain/group tasks, chord header and body, map task) are
 * rebuilt too; those inside `options` (link, chord, chain…) stay dicts, as in Celery. A Celery
 * 5.0 `chord_size` key is accepted and dropped. Throws MalformedMessage for anything else.
 */
export function signatureFromDict(dict: SignatureDict | Record<string, unknown>, app?: CanvasApp): Signature {
  return build(dict, "signature", app);
}
