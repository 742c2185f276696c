// Input pieces every action shares, for the actions router and the services to validate with.

import { z } from "zod";

/** A task, root or group id as Celery writes them (UUIDs, but any non-empty id is accepted). */
export const taskId = z.string().trim().min(1).max(255);

/** What every applied action carries besides its own input: why, and the submission's key. */
export const applyFields = {
  /** Shown in the audit log. */
  reason: z.string().trim().max(2000).optional(),
  /** Chosen by the client once per submission (a UUID): submitting it again acts once. */
  idempotencyKey: z.uuid(),
};

/** The signals a terminating revoke may send (Celery accepts any; these are the useful ones). */
export const revokeSignal = z.enum(["SIGTERM", "SIGKILL", "SIGINT", "SIGUSR1"]).default("SIGTERM");

/** How a revoke treats tasks already running. */
export const revokeOptions = {
  /** Also stop the task if a worker is running it (signal it). */
  terminate: z.boolean().default(false),
  signal: revokeSignal,
};
