// The handle on a group's results; mirrors celery.result.GroupResult (and ResultSet).

import type { ResultBackend, ResultTuple } from "../backend/backend";
import { TimeoutError } from "../errors";
import type { GetOptions } from "./async-result";
import { type AnyResult, registerResultClass, resultFromTuple } from "./result-tuple";

/**
 * A group's id and its members' results, in member order. Nothing is stored for a group unless
 * `save()` is called (Celery's `celery-taskset-meta-<id>`).
 */
export class GroupResult {
  readonly id: string;
  readonly results: AnyResult[];
  readonly backend: ResultBackend;
  /** The result this group came from, known only in memory. */
  parent: AnyResult | null;

  constructor(id: string, results: AnyResult[], backend: ResultBackend, parent: AnyResult | null = null) {
    this.id = id;
    this.results = results;
    this.backend = backend;
    this.parent = parent;
  }

  /** The group saved under `id`, members and parent rebuilt; null when nothing is saved. */
  static async restore(id: string, backend: ResultBackend): Promise<GroupResult | null> {
    const tuple = await backend.restoreGroup(id);
    if (!tuple) return null;
    const [[, parentTuple], nodes] = tuple;
    const parent = parentTuple ? resultFromTuple(parentTuple, backend) : null;
    return new GroupResult(id, (nodes ?? []).map((node) => resultFromTuple(node, backend)), backend, parent);
  }

  /**
   * Waits for every member in order and returns their values in member order. With `propagate`
   * (default) the first failure throws; otherwise failures appear as their exception info.
   * `timeout` (ms) bounds the whole join.
   */
  async join(options: GetOptions = {}): Promise<unknown[]> {
    const started = Date.now();
    const values: unknown[] = [];
    for (const result of this.results) {
      let remaining: number | undefined;
      if (options.timeout !== undefined) {
        remaining = options.timeout - (Date.now() - started);
        if (remaining <= 0) throw new TimeoutError(`joining group ${this.id} timed out after ${options.timeout} ms (${values.length} of ${this.results.length} members done)`);
      }
      values.push(await result.get({ ...options, timeout: remaining }));
    }
    return values;
  }

  /** Same as `join()`, so a GroupResult can stand wherever a result is awaited. */
  get(options: GetOptions = {}): Promise<unknown[]> {
    return this.join(options);
  }

  /** True when every member is ready. */
  async ready(): Promise<boolean> {
    return (await this.each((r) => r.ready())).every(Boolean);
  }

  /** True when every member succeeded. */
  async successful(): Promise<boolean> {
    return (await this.each((r) => r.successful())).every(Boolean);
  }

  /** True when any member failed. */
  async failed(): Promise<boolean> {
    return (await this.each((r) => r.failed())).some(Boolean);
  }

  /** True when any member is not ready yet. */
  async waiting(): Promise<boolean> {
    return !(await this.ready());
  }

  /** How many members succeeded. */
  async completedCount(): Promise<number> {
    return (await this.each((r) => r.successful())).filter(Boolean).length;
  }

  /** Throws the first member failure, in member order. */
  async maybeThrow(propagate = true): Promise<void> {
    for (const result of this.results) await result.maybeThrow(propagate);
  }

  /** The members (a group's children in the result graph). */
  async children(): Promise<AnyResult[]> {
    return this.results;
  }

  /** Stores the group tuple under `celery-taskset-meta-<id>` for `GroupResult.restore`. */
  async save(): Promise<void> {
    await this.backend.saveGroup(this.id, this.toTuple());
  }

  /** Removes the saved group (not the members' results). */
  async delete(): Promise<void> {
    await this.backend.deleteGroup(this.id);
  }

  /** Forgets every member's result. */
  async forget(): Promise<void> {
    for (const result of this.results) await result.forget();
  }

  toTuple(): ResultTuple {
    return [[this.id, this.parent ? this.parent.toTuple() : null], this.results.map((result) => result.toTuple())];
  }

  toString(): string {
    return this.id;
  }

  private each<T>(read: (result: AnyResult) => Promise<T>): Promise<T[]> {
    return Promise.all(this.results.map(read));
  }
}

registerResultClass("group", GroupResult);
