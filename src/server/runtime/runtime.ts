// Everything one Celeriac server process holds: configuration, the store, the Celery app it
// produces and controls through, and (when it runs them) the ingestion and the demo cluster.

import type { Celery } from "../../celery/index";
import type { LoginRateLimit } from "../auth/login-rate-limit";
import type { ServerConfig } from "../config/server-config";
import type { ChangeFeed } from "../live/change-feed";
import type { SharedReads } from "../live/shared-reads";
import type { Store } from "../store/index";
import type { Demo } from "../demo/start-demo";
import type { Ingestion } from "./start-ingestion";
import type { Logger } from "./logger";

export interface Runtime {
  config: ServerConfig;
  log: Logger;
  store: Store;
  /** Producer, results and remote control on the configured broker and result backend. */
  app: Celery;
  loginLimit: LoginRateLimit;
  /** Keys whose values are redacted wherever task data is shown or audited. */
  redactKeys: RegExp;
  /** The ingestor, capture consumer, reconciler and samplers, when this process runs them. */
  ingestion: Ingestion | null;
  /** The store's changes, pushed to open pages (read once a second while any page listens). */
  changes: ChangeFeed;
  /** Answers the same for every viewer, shared until the store changes. */
  sharedReads: SharedReads;
  /** The embedded demo cluster (in-memory broker only). */
  demo: Demo | null;
  startedAt: Date;
  close(): Promise<void>;
}
