// Result tuples back into result objects; mirrors celery.result.result_from_tuple.

import type { ResultBackend, ResultTuple } from "../backend/backend";
import { CeleryError } from "../errors";
import type { AsyncResult } from "./async-result";
import type { GroupResult } from "./group-result";

export type { ResultTuple } from "../backend/backend";

/** Any node of a result graph: a task's result or a group's. */
export type AnyResult = AsyncResult | GroupResult;

/** `[[id, parent], null]`: how one task's result travels. */
export type TaskResultTuple = [[string, ResultTuple | null], null];

/** `[[group_id, parent], [member tuples…]]`: how a group's result travels and is saved. */
export type GroupResultTuple = [[string, ResultTuple | null], ResultTuple[]];

type TaskClass = new (id: string, backend: ResultBackend, parent?: AnyResult | null) => AsyncResult;
type GroupClass = new (id: string, results: AnyResult[], backend: ResultBackend, parent?: AnyResult | null) => GroupResult;

// AsyncResult builds groups (children) and GroupResult builds tasks (restore): each class module
// registers itself here instead of importing the other, which would be an import cycle.
const classes: { task?: TaskClass; group?: GroupClass } = {};

/** @internal Called once by async-result.ts and group-result.ts when they load. */
export function registerResultClass<K extends "task" | "group">(kind: K, cls: K extends "task" ? TaskClass : GroupClass): void {
  (classes as Record<string, unknown>)[kind] = cls;
}

/**
 * Rebuilds AsyncResult / GroupResult objects (parents included) from a tuple as Celery stores it
 * in `children` and saved groups: a null second element means a task, a list means a group.
 */
export function resultFromTuple(tuple: ResultTuple, backend: ResultBackend): AnyResult {
  const [[id, parentTuple], nodes] = tuple;
  const parent = parentTuple ? resultFromTuple(parentTuple, backend) : null;
  const { task, group } = classes;
  if (!task || !group) throw new CeleryError("IMPROPERLY_CONFIGURED", "result classes are not loaded: import AsyncResult and GroupResult through the library's index");
  if (nodes !== null) return new group(id, nodes.map((node) => resultFromTuple(node, backend)), backend, parent);
  return new task(id, backend, parent);
}
