// Remote control of one worker through app.control with destination = [hostname]: shutdown, pool
// grow/shrink, per-task rate and time limits, adding and cancelling a queue consumer.

import { z } from "zod";
import { inspectWorkers } from "../ingest/worker-inspector";
import type { Runtime } from "../runtime/runtime";
import { unavailableOnFailure } from "./send-plan";

const queueName = z.string().trim().min(1).max(255);
const taskName = z.string().trim().min(1).max(255);
const limitSeconds = z.number().finite().positive().nullable();

export const workerCommand = z.discriminatedUnion("command", [
  z.object({ command: z.literal("shutdown") }),
  z.object({ command: z.literal("poolGrow"), n: z.number().int().min(1).max(1000).default(1) }),
  z.object({ command: z.literal("poolShrink"), n: z.number().int().min(1).max(1000).default(1) }),
  /** `"10/s"`, `"100/m"`, `"1000/h"`, a number per second, or null to lift the limit. */
  z.object({ command: z.literal("rateLimit"), taskName, rateLimit: z.union([z.string().trim().regex(/^\d+(\.\d+)?(\/[smh])?$/, 'must look like "10/s", "100/m" or "1000/h"'), z.number().positive()]).nullable() }),
  z.object({ command: z.literal("timeLimit"), taskName, soft: limitSeconds.default(null), hard: limitSeconds.default(null) }),
  z.object({ command: z.literal("addConsumer"), queue: queueName }),
  z.object({ command: z.literal("cancelConsumer"), queue: queueName }),
]);

export const controlWorkerInput = z.object({ hostname: z.string().trim().min(1).max(255), action: workerCommand });
export type ControlWorkerInput = z.input<typeof controlWorkerInput>;
type WorkerCommand = z.infer<typeof workerCommand>;

export interface ControlWorkerPreview {
  hostname: string;
  command: WorkerCommand["command"];
  /** What the worker will be told, in words. */
  description: string;
  warnings: string[];
}

export interface ControlWorkerResult {
  hostname: string;
  /** `[{nodename: {ok|error}}]` as the worker answered; shutdown answers nothing. */
  replies: Record<string, unknown>[];
}

/** How long to wait for the worker's answer. */
const REPLY_TIMEOUT_MS = 2000;

function describe(action: WorkerCommand): string {
  switch (action.command) {
    case "shutdown":
      return "Warm shutdown: the worker stops taking tasks, finishes those it runs, and exits (it does not restart unless a supervisor restarts it).";
    case "poolGrow":
      return `Add ${action.n} pool process(es).`;
    case "poolShrink":
      return `Remove ${action.n} pool process(es).`;
    case "rateLimit":
      return action.rateLimit === null ? `Lift the rate limit of ${action.taskName}.` : `Limit ${action.taskName} to ${String(action.rateLimit)}${typeof action.rateLimit === "number" ? "/s" : ""} per worker.`;
    case "timeLimit":
      return `Set the time limits of ${action.taskName}: soft ${action.soft ?? "none"}, hard ${action.hard ?? "none"} (seconds).`;
    case "addConsumer":
      return `Start consuming from queue ${action.queue}.`;
    case "cancelConsumer":
      return `Stop consuming from queue ${action.queue}.`;
  }
}

const CHANGES_DETAILS = new Set<WorkerCommand["command"]>(["poolGrow", "poolShrink", "addConsumer", "cancelConsumer"]);

/** What the command would do to the worker. */
export async function previewControlWorker(runtime: Runtime, input: ControlWorkerInput): Promise<ControlWorkerPreview> {
  const { hostname, action } = controlWorkerInput.parse(input);
  const warnings: string[] = [];
  const worker = (await runtime.store.listWorkers()).find((candidate) => candidate.hostname === hostname);
  if (!worker) warnings.push(`Worker ${hostname} is not in the history: check the name (nothing happens if no worker has it).`);
  else if (!worker.alive) warnings.push(`Worker ${hostname} looks offline (no recent heartbeat): it may not answer.`);
  if (action.command === "shutdown") warnings.push("Tasks queued for this worker's queues wait until another worker consumes them.");
  return { hostname, command: action.command, description: describe(action), warnings };
}

/** Sends the command to the one worker and returns its replies. */
export async function controlWorker(runtime: Runtime, input: ControlWorkerInput): Promise<ControlWorkerResult> {
  const { hostname, action } = controlWorkerInput.parse(input);
  const control = runtime.app.control;
  const call = { destination: [hostname], reply: true, timeout: REPLY_TIMEOUT_MS };
  const replies = await unavailableOnFailure(`reach worker ${hostname} through the broker ${runtime.app.broker.displayUrl}`, (): Promise<Record<string, unknown>[]> => {
    switch (action.command) {
      case "shutdown":
        return control.shutdown({ destination: [hostname] });
      case "poolGrow":
        return control.poolGrow(action.n, call);
      case "poolShrink":
        return control.poolShrink(action.n, call);
      case "rateLimit":
        return control.rateLimit(action.taskName, action.rateLimit, call);
      case "timeLimit":
        return control.timeLimit(action.taskName, action.soft, action.hard, call);
      case "addConsumer":
        return control.addConsumer(action.queue, call);
      case "cancelConsumer":
        return control.cancelConsumer(action.queue, call);
    }
  });
  // The workers page shows pool size and queues from inspect rounds 30 s apart: ask this worker
  // again now so the change shows at once. Best effort: the command itself has been carried out.
  if (replies.length > 0 && CHANGES_DETAILS.has(action.command)) {
    await inspectWorkers({ control, destination: [hostname] })
      .then((details) => runtime.store.recordWorkerDetails(details))
      .catch(() => undefined);
  }
  return { hostname, replies };
}
