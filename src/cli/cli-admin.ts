// The CLI as a local administrator of the store: commands that change accounts or act on
// tasks through the control-plane services open a runtime (store, and the cluster when they
// need it) and act as the audited actor `cli:<os user>`, with the admin role of whoever can
// reach DATABASE_URL.

import { randomUUID } from "node:crypto";
import { userInfo } from "node:os";
import type { SessionUser } from "../server/api/trpc";
import type { Runtime } from "../server/runtime/runtime";
import type { ActionOutcome, ActionSpec } from "../server/services/run-action";
import { type ConnectionFlags, cliConfig, sharedBackendUrl, sharedBrokerUrl } from "./cli-connection";
import { CliError, EXIT } from "./cli-error";

/** The audit log's actor for this process: `cli:<os user>`. */
export function cliActor(): SessionUser {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): the environment is the next best witness.
    user = process.env.USER ?? process.env.LOGNAME ?? `uid-${process.getuid?.() ?? "unknown"}`;
  }
  return { id: `cli:${user}`, name: `cli:${user}`, role: "admin" };
}

/** What runAction needs to audit a CLI action: the runtime and the CLI actor. */
export interface CliAdmin {
  runtime: Runtime;
  /** Runs `work` through runAction as the CLI actor, with a fresh idempotency key. */
  act<T>(spec: Omit<ActionSpec, "idempotencyKey">, work: () => Promise<T>): Promise<ActionOutcome<T>>;
}

/**
 * Opens a runtime on the configured store (no ingestion, no demo, no first admin) and runs
 * `use` with it. With `cluster: true` the broker must be a shared one (and the result backend,
 * when set); with `cluster: false` neither is contacted at all (the runtime gets the in-process
 * ones), so an account can be added while the cluster is down.
 */
export async function withCliAdmin<T>(flags: ConnectionFlags, options: { cluster: boolean }, use: (admin: CliAdmin) => Promise<T>): Promise<T> {
  const config = cliConfig(flags);
  if (options.cluster) {
    sharedBrokerUrl(config, flags);
    if (config.CELERY_RESULT_BACKEND !== undefined) sharedBackendUrl(config);
  }
  if (config.DATABASE_URL.startsWith("memory:")) {
    throw new CliError("DATABASE_URL is memory:, a store that lives inside one process: whatever the CLI did there would vanish when it exits. Set DATABASE_URL to the dashboard's store (postgresql://… or pglite:<dir>).", EXIT.CONFIG);
  }
  // A PGlite directory the dashboard holds is refused by the store's lock (StoreLocked), with the fix.
  // Loaded here, not at the top: the store (Prisma, PGlite) is heavy and most commands never need it.
  const [{ startRuntime }, { createLogger }, { runAction }] = await Promise.all([
    import("../server/runtime/start-runtime"),
    import("../server/runtime/logger"),
    import("../server/services/run-action"),
  ]);
  const runtime = await startRuntime({
    config: options.cluster ? config : { ...config, CELERY_BROKER_URL: "memory://", CELERY_RESULT_BACKEND: undefined },
    log: createLogger("warn", "celeriac-cli"),
    ingest: false,
    demo: false,
    alerts: false,
  });
  const user = cliActor();
  const admin: CliAdmin = {
    runtime,
    act: (spec, work) => runAction({ runtime, clientAddress: "cli", session: { user } }, { ...spec, idempotencyKey: randomUUID() }, work),
  };
  try {
    return await use(admin);
  } finally {
    await runtime.close().catch(() => undefined);
  }
}
