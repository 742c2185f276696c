// Purging a queue: every waiting message is deleted (messages a worker already holds are not).
// The preview shows the current depth; applying needs the queue's name typed back.

import { z } from "zod";
import { AppError } from "../app-error";
import type { Runtime } from "../runtime/runtime";
import { unavailableOnFailure } from "./send-plan";

export const purgeQueueInput = z.object({ queue: z.string().trim().min(1).max(255) });
export type PurgeQueueInput = z.input<typeof purgeQueueInput>;

export interface PurgePreview {
  queue: string;
  /** Messages waiting now (Redis: every priority list). */
  depth: number;
  warnings: string[];
}

export interface PurgeResult {
  queue: string;
  /** Messages deleted. */
  purged: number;
}

/** The queue's depth now, and what purging it means. */
export async function previewPurge(runtime: Runtime, input: PurgeQueueInput): Promise<PurgePreview> {
  const { queue } = purgeQueueInput.parse(input);
  const [info] = await unavailableOnFailure(`read the depth of ${queue} from the broker ${runtime.app.broker.displayUrl}`, () => runtime.app.broker.inspectQueues([queue]));
  const depth = info?.messages ?? 0;
  return { queue, depth, warnings: [`Deletes the ${depth} waiting message(s) for good: they are not run and cannot be brought back. Messages workers already hold are not touched.`] };
}

/** Deletes every waiting message of the queue; `confirmQueue` must repeat its name. */
export async function purgeQueue(runtime: Runtime, input: PurgeQueueInput & { confirmQueue: string }): Promise<PurgeResult> {
  const { queue } = purgeQueueInput.parse(input);
  if (input.confirmQueue.trim() !== queue) throw new AppError("BAD_INPUT", `Type the queue's name ${JSON.stringify(queue)} exactly to confirm the purge.`);
  const purged = await unavailableOnFailure(`purge ${queue} on the broker ${runtime.app.broker.displayUrl}`, () => runtime.app.control.purge(queue));
  return { queue, purged };
}
