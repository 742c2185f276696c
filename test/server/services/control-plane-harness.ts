// A Celeriac server runtime for control-plane tests: real broker and backend (or the in-memory
// ones), the store in PGlite memory, ingestion running as in the dashboard, and tRPC callers
// acting as a given role through the real procedures (role, read-only and CSRF checks included).

import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { appRouter } from "../../../src/server/api/root";
import { createCallerFactory } from "../../../src/server/api/trpc";
import { CSRF_HEADER } from "../../../src/server/auth/cookie-names";
import type { Role } from "../../../src/server/auth/roles";
import { loadServerConfig } from "../../../src/server/config/server-config";
import { createLogger } from "../../../src/server/runtime/logger";
import type { Runtime } from "../../../src/server/runtime/runtime";
import { startRuntime } from "../../../src/server/runtime/start-runtime";
import type { TaskDetail } from "../../../src/server/store/index";

const createCaller = createCallerFactory(appRouter);

export interface ControlPlane {
  runtime: Runtime;
  /** A tRPC caller logged in with `role` (CSRF header sent unless told otherwise). */
  caller(role: Role, options?: { csrf?: boolean }): ReturnType<typeof createCaller>;
  /** Polls the store until the task satisfies `condition`; returns it. */
  waitForTask(id: string, condition: (task: TaskDetail) => boolean, what: string, timeoutMs?: number): Promise<TaskDetail>;
  close(): Promise<void>;
}

export async function startControlPlane(env: { brokerUrl: string; backendUrl?: string; queue: string; readOnly?: boolean }): Promise<ControlPlane> {
  const config = loadServerConfig({
    CELERY_BROKER_URL: env.brokerUrl,
    CELERY_RESULT_BACKEND: env.backendUrl,
    DATABASE_URL: "memory:",
    CELERIAC_CAPTURE_QUEUE: `${env.queue}.capture`,
    CELERIAC_EVENTS_QUEUE: `${env.queue}.events`,
    CELERIAC_QUEUES: env.queue,
    CELERIAC_READ_ONLY: env.readOnly ? "true" : "false",
  });
  const runtime = await startRuntime({ config, log: createLogger("silent"), demo: false });
  const csrfToken = randomUUID();
  return {
    runtime,
    caller(role, options = {}) {
      const headers = options.csrf === false ? {} : { [CSRF_HEADER]: csrfToken };
      return createCaller({
        runtime,
        session: { id: randomUUID(), user: { id: randomUUID(), name: `${role}-user`, role }, csrfToken },
        clientAddress: "127.0.0.1",
        req: { headers } as unknown as IncomingMessage,
        res: {} as ServerResponse,
      });
    },
    async waitForTask(id, condition, what, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const task = await runtime.store.getTask(id);
        if (task && condition(task)) return task;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (task ${id} is ${task ? task.state : "unknown"})`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close: () => runtime.close(),
  };
}
