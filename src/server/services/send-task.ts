// Sending a task by name with JSON arguments and Celery's routing and timing options, as
// `app.send_task` does; the preview shows where it goes and whether the name was ever seen.

import { z } from "zod";
import { AppError } from "../app-error";
import type { Runtime } from "../runtime/runtime";
import { redactValue } from "./redact";
import { unavailableOnFailure } from "./send-plan";

const isoDate = z.iso.datetime({ offset: true, error: "must be an ISO-8601 date-time with an offset, e.g. 2026-12-01T18:00:00Z" });

export const sendTaskInput = z.object({
  name: z.string().trim().min(1).max(255),
  args: z.array(z.unknown()).default([]),
  kwargs: z.record(z.string(), z.unknown()).default({}),
  options: z
    .object({
      queue: z.string().trim().min(1).max(255).optional(),
      /** Seconds from now. */
      countdown: z.number().finite().nonnegative().max(365 * 86_400).optional(),
      eta: isoDate.optional(),
      /** Seconds from now, or an ISO-8601 date-time. */
      expires: z.union([z.number().finite().positive(), isoDate]).optional(),
      priority: z.number().int().min(0).max(255).optional(),
    })
    .refine((options) => options.countdown === undefined || options.eta === undefined, "give countdown or eta, not both")
    .default({}),
});
export type SendTaskInput = z.input<typeof sendTaskInput>;

export interface SendPreview {
  name: string;
  queue: string;
  args: unknown;
  kwargs: unknown;
  options: z.infer<typeof sendTaskInput>["options"];
  warnings: string[];
}

export interface SendResult {
  taskId: string;
}

/** What sending would do. */
export async function previewSend(runtime: Runtime, input: SendTaskInput): Promise<SendPreview> {
  const { name, args, kwargs, options } = sendTaskInput.parse(input);
  const warnings: string[] = [];
  const seen = await runtime.store.listTasks({ name, limit: 1 });
  if (seen.tasks.length === 0) warnings.push(`No task named ${JSON.stringify(name)} is in the history: check the name — a worker that does not know it rejects the message.`);
  if (!options.queue) warnings.push(`No queue given: it goes to the default queue ${JSON.stringify(runtime.app.defaultQueue)}.`);
  if (options.eta && Date.parse(options.eta) < Date.now()) warnings.push("The eta is in the past: it runs at once.");
  if (typeof options.expires === "string" && Date.parse(options.expires) < Date.now()) throw new AppError("BAD_INPUT", "The expiry is in the past: the task would be revoked on arrival. Give a later expiry, or none.");
  return { name, queue: options.queue ?? runtime.app.defaultQueue, args: redactValue(args, runtime.redactKeys), kwargs: redactValue(kwargs, runtime.redactKeys), options, warnings };
}

/** Sends the task; returns its new id. */
export async function sendTask(runtime: Runtime, input: SendTaskInput): Promise<SendResult> {
  await previewSend(runtime, input);
  const { name, args, kwargs, options } = sendTaskInput.parse(input);
  const { app } = runtime;
  const result = await unavailableOnFailure(`publish to the broker ${app.broker.displayUrl}`, () => app.sendTask(name, args, kwargs, options));
  return { taskId: result.id };
}
