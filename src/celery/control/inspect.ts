// Queries workers for their state (app.control.inspect()); mirrors celery/app/control.py Inspect.

import type { Control } from "./control";
import { flattenReply } from "./flatten-reply";
import type { NodeReply } from "./mailbox";
import { matchNode, type NodeMatcher } from "./match-node";
import type { QueriedTask, ScheduledTaskInfo, TaskInfo } from "./task-info";

/** Whom an inspector asks and how long it waits; Celery's `Inspect(destination, timeout, ...)`. */
export interface InspectOptions {
  /** Nodenames to ask; omitted = every worker. Collection stops once all of them replied. */
  destination?: readonly string[];
  /** Milliseconds to wait for replies (1000, Celery's 1 s). */
  timeout?: number;
  /** Stop after this many replies. */
  limit?: number;
  /** Keep only nodes whose name matches; sent to the workers too when `matcher` is given. */
  pattern?: string;
  /** `glob` (default for filtering replies) or `pcre`. */
  matcher?: NodeMatcher;
  /** Called with each raw `{nodename: reply}` as it arrives. */
  onReply?: (reply: NodeReply) => void;
}

/** Replies by nodename, or null when no worker answered in time (as Celery returns None). */
export type InspectReply<T> = Record<string, T> | null;

/**
 * Asks workers about themselves. Each method broadcasts one inspect command, waits `timeout`
 * (or until every `destination` answered) and returns `{nodename: reply}` merged over all
 * workers, or null when nobody replied.
 */
export class Inspect {
  readonly control: Control;
  readonly options: Readonly<InspectOptions>;

  constructor(control: Control, options: InspectOptions = {}) {
    this.control = control;
    this.options = options;
  }

  private async request<T>(command: string, args: Record<string, unknown> = {}): Promise<InspectReply<T>> {
    const { destination, timeout, limit, pattern, matcher, onReply } = this.options;
    const replies = await this.control.broadcast<T>(command, {
      arguments: args,
      destination,
      timeout,
      limit,
      pattern,
      matcher,
      reply: true,
      onReply: onReply as ((reply: NodeReply<T>) => void) | undefined,
    });
    if (replies.length === 0) return null;
    const byNode = flattenReply(replies, (names) => console.warn(`Received multiple replies from node name(s): ${names.join(", ")}. Please make sure you give each node a unique nodename using the celery worker \`-n\` option.`));
    if (!pattern) return byNode;
    return Object.fromEntries(Object.entries(byNode).filter(([node]) => matchNode(node, pattern, matcher ?? "glob")));
  }

  /** `{"ok": "pong"}` from every live worker. */
  ping(): Promise<InspectReply<{ ok: string }>> {
    return this.request("ping");
  }

  /** Tasks being executed. `safe` asks for repr strings of args/kwargs instead of the values. */
  active(safe: boolean | null = null): Promise<InspectReply<TaskInfo[]>> {
    return this.request("active", { safe });
  }

  /** Tasks prefetched but not yet started. */
  reserved(): Promise<InspectReply<TaskInfo[]>> {
    return this.request("reserved");
  }

  /** Tasks waiting for their ETA/countdown. */
  scheduled(): Promise<InspectReply<ScheduledTaskInfo[]>> {
    return this.request("scheduled");
  }

  /** Task names each worker runs, as `"name [rate_limit=…]"`; `taskinfoitems` adds attributes. */
  registered(...taskinfoitems: string[]): Promise<InspectReply<string[]>> {
    return this.request("registered", { taskinfoitems });
  }

  /** Worker statistics: totals by task name, pid, uptime, pool, broker, rusage. */
  stats(): Promise<InspectReply<Record<string, unknown>>> {
    return this.request("stats");
  }

  /** Ids the workers hold as revoked. */
  revoked(): Promise<InspectReply<string[]>> {
    return this.request("revoked");
  }

  /** Where the given task ids are on each worker: `{id: [state, info]}` for those it holds. */
  queryTask(...ids: (string | readonly string[])[]): Promise<InspectReply<Record<string, QueriedTask>>> {
    return this.request("query_task", { ids: ids.flat() });
  }

  /** The queues each worker consumes from, as kombu queue dicts. */
  activeQueues(): Promise<InspectReply<Record<string, unknown>[]>> {
    return this.request("active_queues");
  }

  /** Each worker's configuration; with `withDefaults`, the default values too. */
  conf(withDefaults = false): Promise<InspectReply<Record<string, unknown>>> {
    return this.request("conf", { with_defaults: withDefaults });
  }

  /** Each worker's Lamport clock value. */
  clock(): Promise<InspectReply<{ clock: number }>> {
    return this.request("clock");
  }

  /** Each worker's bug report text. */
  report(): Promise<InspectReply<{ ok: string }>> {
    return this.request("report");
  }
}
