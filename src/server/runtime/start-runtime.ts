// Opens everything a Celeriac server process needs from its configuration: the store (migrated),
// the Celery app on the configured broker and backend, the first admin, and — as configured —
// the ingestion and, on the in-memory broker, the demo cluster.

import { Celery, DisabledBackend, createBackend, createBroker } from "../../celery/index";
import { LoginRateLimit } from "../auth/login-rate-limit";
import type { ServerConfig } from "../config/server-config";
import { startAlerting } from "../alerts/start-alerting";
import { startDemo } from "../demo/start-demo";
import { ChangeFeed } from "../live/change-feed";
import { SharedReads } from "../live/shared-reads";
import { ensureFirstAdmin } from "../services/ensure-first-admin";
import { redactPattern } from "../services/redact";
import { openStore } from "../store/index";
import type { Logger } from "./logger";
import type { Runtime } from "./runtime";
import { startIngestion } from "./start-ingestion";

export interface StartRuntimeOptions {
  config: ServerConfig;
  log: Logger;
  /** Run the ingestion in this process (default: unless CELERIAC_INGEST=external). */
  ingest?: boolean;
  /** Evaluate alert rules and send notifications (default true; one process at a time does, by lease). */
  alerts?: boolean;
  /** Start the demo cluster when the broker is the in-memory one (default true). */
  demo?: boolean;
  /**
   * Serve logins: create the first admin when there is no account, and call this once with a
   * generated password to print it. Without it (`celeriac ingest`) no account is created.
   */
  onFirstAdmin?: (name: string, password: string) => void;
}

export async function startRuntime(options: StartRuntimeOptions): Promise<Runtime> {
  const { config, log } = options;
  const store = await openStore(config.DATABASE_URL);
  const broker = createBroker(config.CELERY_BROKER_URL);
  const embedded = broker.driverType === "memory";
  // The embedded default shares results in memory; a real cluster's backend is whatever Celery
  // uses (none configured = Celery's disabled backend).
  const backendUrl = config.CELERY_RESULT_BACKEND ?? (embedded ? "memory://" : undefined);
  const app = new Celery({ name: "celeriac", broker, backend: backendUrl ? createBackend(backendUrl) : new DisabledBackend() });
  try {
    await app.connect();
  } catch (error) {
    await store.close();
    throw new Error(`Cannot connect to the broker ${broker.displayUrl}: ${(error as Error).message}. Check CELERY_BROKER_URL and that the broker is running.`, { cause: error });
  }

  const admin = options.onFirstAdmin ? await ensureFirstAdmin(store, config) : null;
  if (admin?.generatedPassword) options.onFirstAdmin?.(admin.name, admin.generatedPassword);
  else if (admin) log.info(`created the first admin account ${JSON.stringify(admin.name)} from CELERIAC_ADMIN_USER / CELERIAC_ADMIN_PASSWORD`);

  const ingestion = (options.ingest ?? config.CELERIAC_INGEST === "in-process") ? await startIngestion({ config, app, store, log: log.child("ingest") }) : null;
  const demo = embedded && (options.demo ?? true) ? await startDemo({ app, log: log.child("demo") }) : null;
  const redactKeys = redactPattern(config.CELERIAC_REDACT_KEYS);
  const alerting = (options.alerts ?? true) ? startAlerting({ store, config, log: log.child("alerts"), redactKeys }) : null;

  const changes = new ChangeFeed({ read: () => store.changeMark(), onError: (message) => log.child("live").warn(message) });
  return {
    config,
    log,
    store,
    app,
    changes,
    sharedReads: new SharedReads(changes),
    loginLimit: new LoginRateLimit(),
    redactKeys,
    ingestion,
    demo,
    startedAt: new Date(),
    async close() {
      changes.close();
      await alerting?.stop();
      await demo?.stop();
      await ingestion?.stop();
      await app.close();
      await store.close();
    },
  };
}
