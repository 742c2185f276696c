// The task list's filters as they live in the URL query string (so a filtered list is a link an
// operator can paste), and the history.tasks query they mean.

import { type TimePresetKey, timePreset, presetRange } from "./time-presets";

/** Every state a task can be shown in, for the state filter. */
export const TASK_STATES = ["PLANNED", "PENDING", "RECEIVED", "STARTED", "RETRY", "SUCCESS", "FAILURE", "REVOKED", "REJECTED"] as const;

export interface TaskFilters {
  name?: string;
  states: string[];
  worker?: string;
  queue?: string;
  rootId?: string;
  text?: string;
  range?: TimePresetKey;
  order: "newest" | "oldest";
}

// URL parameter of each text filter: short, stable names (they end up in chat messages).
const TEXT_PARAMS = { name: "name", worker: "worker", queue: "queue", rootId: "root", text: "q" } as const;

/** Reads filters from a query string; unknown or malformed values are ignored, not errors. */
export function filtersFromSearch(search: URLSearchParams): TaskFilters {
  const filters: TaskFilters = { states: [], order: search.get("order") === "oldest" ? "oldest" : "newest" };
  for (const [field, param] of Object.entries(TEXT_PARAMS) as [keyof typeof TEXT_PARAMS, string][]) {
    const value = search.get(param)?.trim();
    if (value) filters[field] = value;
  }
  const states = search.getAll("state").flatMap((value) => value.split(","));
  filters.states = TASK_STATES.filter((state) => states.includes(state));
  const range = timePreset(search.get("range"));
  if (range) filters.range = range.key;
  return filters;
}

/** The query string for `filters` (without "?"), parameters in a fixed order. */
export function filtersToSearch(filters: TaskFilters): string {
  const search = new URLSearchParams();
  for (const [field, param] of Object.entries(TEXT_PARAMS) as [keyof typeof TEXT_PARAMS, string][]) {
    const value = filters[field]?.trim();
    if (value) search.set(param, value);
  }
  if (filters.states.length > 0) search.set("state", filters.states.join(","));
  if (filters.range) search.set("range", filters.range);
  if (filters.order === "oldest") search.set("order", "oldest");
  return search.toString();
}

/** The filter part of a history.tasks query (no limit or cursor). */
export interface TaskQueryFilter {
  name?: string;
  state?: string[];
  worker?: string;
  queue?: string;
  rootId?: string;
  text?: string;
  from?: number;
  order: "newest" | "oldest";
}

/** The history.tasks input `filters` mean at `nowMs`. */
export function filtersToQuery(filters: TaskFilters, nowMs: number): TaskQueryFilter {
  const query: TaskQueryFilter = { order: filters.order };
  if (filters.name) query.name = filters.name;
  if (filters.states.length > 0) query.state = filters.states;
  if (filters.worker) query.worker = filters.worker;
  if (filters.queue) query.queue = filters.queue;
  if (filters.rootId) query.rootId = filters.rootId;
  if (filters.text) query.text = filters.text.slice(0, 200);
  if (filters.range) query.from = presetRange(filters.range, nowMs).from;
  return query;
}

/** True when no filter narrows the list (a bulk action would then cover every task). */
export function hasNoFilter(filters: TaskFilters): boolean {
  return !filters.name && filters.states.length === 0 && !filters.worker && !filters.queue && !filters.rootId && !filters.text && !filters.range;
}
