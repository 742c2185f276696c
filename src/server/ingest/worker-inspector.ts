// Asks every worker what events never say: its pool size and prefetch (`inspect stats`) and the
// queues it consumes (`inspect active_queues`), periodically, for the workers page. Python and
// TypeScript workers answer the same broadcast; a worker that does not answer keeps what it said last.

import { z } from "zod";
import type { Control } from "../../celery/index";
import { AppError, reasonOf } from "../app-error";
import type { WorkerDetails, WorkerDetailsWriter } from "./observation";
import { type PeriodicRun, startPeriodicSampling } from "./periodic-run";

export interface WorkerInspectorOptions {
  control: Control;
  writer: WorkerDetailsWriter;
  /** Pause between the end of one inspection and the start of the next, ms. Default 30000. */
  intervalMs?: number;
  /** Ask only these workers (collection ends once they all replied); default every worker. */
  destination?: readonly string[];
  /** How long each broadcast collects replies, ms. Default 1000 (Celery's inspect timeout). */
  replyTimeoutMs?: number;
  /** Epoch seconds; for tests. */
  now?: () => number;
  /** Told about every failure (broker, store, a malformed reply); inspection goes on. */
  onError?: (error: AppError) => void;
}

// Only the fields we keep; anything else a worker adds is ignored, a wrong type drops that field.
const statsReply = z.object({
  pool: z
    .object({ "max-concurrency": z.number().int().nonnegative().optional(), processes: z.array(z.number()).optional().catch(undefined) })
    .passthrough()
    .optional()
    .catch(undefined),
  prefetch_count: z.number().int().nonnegative().optional().catch(undefined),
});
const activeQueuesReply = z.array(z.object({ name: z.string().min(1) }).passthrough());

/** One round: both broadcasts at once, merged per worker. Throws AppError UNAVAILABLE when the broker cannot be asked. */
export async function inspectWorkers(options: Omit<WorkerInspectorOptions, "writer" | "intervalMs">): Promise<WorkerDetails[]> {
  const inspect = options.control.inspect({ timeout: options.replyTimeoutMs ?? 1_000, destination: options.destination });
  let stats, queues;
  try {
    [stats, queues] = await Promise.all([inspect.stats(), inspect.activeQueues()]);
  } catch (error) {
    throw new AppError("UNAVAILABLE", `Worker inspector: could not broadcast inspect stats/active_queues: ${reasonOf(error)}. Check that the broker is reachable; the next round retries.`);
  }
  const at = options.now?.() ?? Date.now() / 1000;
  const byWorker = new Map<string, WorkerDetails>();
  const entry = (hostname: string) => byWorker.get(hostname) ?? byWorker.set(hostname, { hostname, at }).get(hostname)!;
  for (const [hostname, reply] of Object.entries(stats ?? {})) {
    const parsed = statsReply.safeParse(reply);
    if (!parsed.success) continue;
    const details = entry(hostname);
    // Prefork lists its child processes, and pool_grow/shrink change them, not max-concurrency
    // (celery/concurrency/prefork.py); a one-process pool (solo, threads, ours) counts its slots.
    const processes = parsed.data.pool?.processes;
    const poolSize = processes && processes.length > 1 ? processes.length : parsed.data.pool?.["max-concurrency"];
    if (poolSize !== undefined) details.poolSize = poolSize;
    if (parsed.data.prefetch_count !== undefined) details.prefetchCount = parsed.data.prefetch_count;
  }
  for (const [hostname, reply] of Object.entries(queues ?? {})) {
    const parsed = activeQueuesReply.safeParse(reply);
    if (!parsed.success) {
      options.onError?.(new AppError("BAD_INPUT", `Worker inspector: ${hostname} answered active_queues with something other than a list of queues; its queues are left as they were.`));
      continue;
    }
    entry(hostname).queues = [...new Set(parsed.data.map((queue) => queue.name))].sort();
  }
  return [...byWorker.values()];
}

/** Inspects now and then every `intervalMs` after each round ends, writing to the store, until stopped. */
export function startWorkerInspector(options: WorkerInspectorOptions): PeriodicRun {
  return startPeriodicSampling({
    name: "startWorkerInspector",
    intervalMs: options.intervalMs ?? 30_000,
    sample: () => inspectWorkers(options),
    write: (details) => options.writer.recordWorkerDetails(details),
    refused: (count, reason) => `Worker inspector: the store refused the details of ${count} workers: ${reason}; the next round writes them again.`,
    onError: options.onError,
  });
}
