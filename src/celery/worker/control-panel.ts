// The remote-control commands a worker answers; mirrors celery/worker/control.py (Panel) and kombu.pidbox.Node.dispatch.

import { matchNode } from "../control/match-node";
import type { TaskInfo } from "../control/task-info";

export type { TaskInfo };

/** The worker as the control panel sees it: every command is a call on this. */
export interface ControlTarget {
  readonly hostname: string;
  clockValue(): number;
  /** Flags ids as revoked; with `terminate`, aborts those running and returns their ids. */
  revoke(ids: string[], terminate: boolean, signal: string): string[];
  active(safe: boolean): TaskInfo[];
  reserved(): TaskInfo[];
  scheduled(): { eta: string; priority: number | null; request: TaskInfo }[];
  revokedIds(): string[];
  registered(): string[];
  queryTask(ids: string[]): Record<string, [string, TaskInfo]>;
  stats(): Record<string, unknown>;
  /** False when the task is unknown. */
  setRateLimit(taskName: string, rateLimit: string | number | null): boolean;
  setTimeLimit(taskName: string, soft: number | null, hard: number | null): boolean;
  resizePool(delta: number): void;
  addConsumer(queue: string): Promise<void>;
  cancelConsumer(queue: string): Promise<void>;
  shutdown(): void;
  heartbeat(): void;
  setEvents(enabled: boolean): void;
  activeQueues(): Record<string, unknown>[];
}

/** A command that must not be answered (Celery's shutdown raises SystemExit before replying). */
export const NO_REPLY = Symbol("celeriac.noReply");

type Handler = (target: ControlTarget, args: Record<string, unknown>) => unknown;

const ok = (text: string) => ({ ok: text });
const nok = (text: string) => ({ error: text });

function idList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function optionalNumber(value: unknown): number | null {
  if (value === undefined || value === null || value === "") return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

// Celery's rate() accepts "10/s", "10/m", "10/h", a bare number (per second) or "" to disable.
function validRate(value: unknown): boolean {
  if (value === null || value === undefined || value === "" || typeof value === "number") return true;
  return typeof value === "string" && /^\s*\d+(\.\d+)?\s*(\/\s*[smh])?\s*$/.test(value);
}

function revoke(target: ControlTarget, args: Record<string, unknown>): unknown {
  const ids = idList(args.task_id);
  const signal = typeof args.signal === "string" ? args.signal : "SIGTERM";
  const terminated = target.revoke(ids, args.terminate === true, signal);
  if (args.terminate === true) return terminated.length === 0 ? ok("terminate: tasks unknown") : ok(`terminate: ${terminated.join(", ")}`);
  return ok(`tasks ${ids.join(", ")} flagged as revoked`);
}

const HANDLERS: Record<string, Handler> = {
  ping: () => ok("pong"),
  clock: (target) => ({ clock: target.clockValue() }),
  hello: (target, args) => (args.from_node === target.hostname ? null : { revoked: {}, clock: target.clockValue() }),
  revoke,
  terminate: (target, args) => revoke(target, { ...args, terminate: true }),
  active: (target, args) => target.active(args.safe === true),
  reserved: (target) => target.reserved(),
  scheduled: (target) => target.scheduled(),
  dump_schedule: (target) => target.scheduled(),
  revoked: (target) => target.revokedIds(),
  dump_revoked: (target) => target.revokedIds(),
  registered: (target) => target.registered(),
  dump_tasks: (target) => target.registered(),
  query_task: (target, args) => target.queryTask(idList(args.ids ?? args.task_id)),
  stats: (target) => target.stats(),
  active_queues: (target) => target.activeQueues(),
  rate_limit: (target, args) => {
    if (!validRate(args.rate_limit)) return nok(`Invalid rate limit string: ${JSON.stringify(args.rate_limit)}`);
    if (!target.setRateLimit(String(args.task_name), (args.rate_limit as string | number | null | undefined) ?? null)) return nok("unknown task");
    return args.rate_limit ? ok("new rate limit set successfully") : ok("rate limit disabled successfully");
  },
  time_limit: (target, args) =>
    target.setTimeLimit(String(args.task_name), optionalNumber(args.soft), optionalNumber(args.hard)) ? ok("time limits set successfully") : nok("unknown task"),
  pool_grow: (target, args) => {
    target.resizePool(optionalNumber(args.n) ?? 1);
    return ok("pool will grow");
  },
  pool_shrink: (target, args) => {
    target.resizePool(-(optionalNumber(args.n) ?? 1));
    return ok("pool will shrink");
  },
  add_consumer: async (target, args) => {
    const queue = String(args.queue);
    await target.addConsumer(queue);
    return ok(`add consumer ${queue}`);
  },
  cancel_consumer: async (target, args) => {
    const queue = String(args.queue);
    await target.cancelConsumer(queue);
    return ok(`no longer consuming from ${queue}`);
  },
  enable_events: (target) => {
    target.setEvents(true);
    return ok("task events enabled");
  },
  disable_events: (target) => {
    target.setEvents(false);
    return ok("task events disabled");
  },
  heartbeat: (target) => {
    target.heartbeat();
    return null;
  },
  shutdown: (target) => {
    target.shutdown();
    return NO_REPLY;
  },
};

/** Names of every command this worker answers. */
export const CONTROL_COMMANDS: readonly string[] = Object.keys(HANDLERS);

/**
 * Runs one command and returns its reply value, as kombu's Node.dispatch: an unknown command or
 * a throwing handler becomes `{"error": "<repr>"}`; `NO_REPLY` means send nothing.
 */
export async function dispatchControl(target: ControlTarget, method: string, args: Record<string, unknown>): Promise<unknown> {
  const handler = Object.hasOwn(HANDLERS, method) ? HANDLERS[method] : undefined;
  if (!handler) return nok(`KeyError('${method}')`);
  try {
    return await handler(target, args);
  } catch (error) {
    return nok(`${(error as Error).name}('${(error as Error).message}')`);
  }
}

/** kombu.pidbox.Node.handle_message's addressing: destination list, else glob/pcre pattern, else everyone. */
export function isAddressedTo(hostname: string, body: { destination?: unknown; pattern?: unknown; matcher?: unknown }): boolean {
  if (Array.isArray(body.destination) && body.destination.length > 0) return body.destination.includes(hostname);
  if (typeof body.pattern === "string" && body.pattern && typeof body.matcher === "string" && body.matcher) return matchNode(hostname, body.pattern, body.matcher);
  return true;
}
