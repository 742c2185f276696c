// Starts everything that writes history: the event ingestor, the capture consumer (Python and
// other-process producers), in-process capture of this process's own publishes, the periodic
// reconciler, the queue sampler, the worker inspector and retention. One function so
// `celeriac ingest` and the dashboard run the same set.

import { type Celery, DisabledBackend } from "../../celery/index";
import type { ServerConfig } from "../config/server-config";
import { type CaptureConsumer, startCaptureConsumer } from "../ingest/capture-consumer";
import { EventIngestor, type IngestStats } from "../ingest/event-ingestor";
import { type PublishedRecorder, recordPublished } from "../ingest/record-published";
import { type RunningQueueSampler, startQueueSampler } from "../ingest/queue-sampler";
import { type RunningReconciler, startReconciler } from "../ingest/reconciler";
import type { QuarantineSink } from "../ingest/quarantine-entry";
import { startWorkerInspector } from "../ingest/worker-inspector";
import { redactPattern, redactText } from "../services/redact";
import type { Store } from "../store/index";
import type { Logger } from "./logger";

export interface Ingestion {
  events: EventIngestor;
  capture: CaptureConsumer | null;
  stats(): { events: IngestStats; capture: CaptureConsumer["stats"] | null };
  stop(): Promise<void>;
}

export interface StartIngestionOptions {
  config: ServerConfig;
  app: Celery;
  store: Store;
  log: Logger;
}

const RETENTION_INTERVAL_MS = 5 * 60 * 1000;

/** Starts ingestion on the app's broker into the store; stop() flushes and stops every part. */
export async function startIngestion({ config, app, store, log }: StartIngestionOptions): Promise<Ingestion> {
  const broker = app.broker;
  // Quarantined inputs are kept redacted: the quarantine page shows them as they are stored.
  const keys = redactPattern(config.CELERIAC_REDACT_KEYS);
  const quarantine: QuarantineSink = { quarantine: (entries) => store.quarantine(entries.map((entry) => ({ ...entry, payload: redactText(entry.payload, keys) ?? "" }))) };
  const events = new EventIngestor({
    broker,
    writer: store,
    queueName: config.CELERIAC_EVENTS_QUEUE,
    // Drops and malformed events persist in the store, visible on the overview and /metrics.
    counters: store,
    quarantine,
    journalDir: config.CELERIAC_JOURNAL_DIR,
    journalMaxBytes: config.CELERIAC_JOURNAL_MAX_MB * 1024 * 1024,
    onError: (error) => log.child("events").warn(error.message),
    onPossiblyLost: (hostname, ids) => log.child("events").warn(`${ids.length} task(s) were running on ${hostname}, which went offline: they may be lost`),
  });
  await events.start();

  // The in-memory broker lives in this process: everything it carries was published here and is
  // captured directly; a real broker also carries other producers' capture records.
  const capture =
    broker.driverType === "memory"
      ? null
      : await startCaptureConsumer({ broker, writer: store, queue: config.CELERIAC_CAPTURE_QUEUE, quarantine, onError: (error, kind) => log.child("capture").warn(`${kind}: ${error.message}`) });
  const own: PublishedRecorder = recordPublished(app, store, { onError: (error) => log.child("capture").warn(error.message) });

  const reconciler: RunningReconciler | null = app.backend instanceof DisabledBackend
    ? null
    : startReconciler({
        reader: store,
        writer: store,
        backend: app.backend,
        intervalMs: config.CELERIAC_RECONCILE_INTERVAL_SECONDS * 1000,
        scanPerRun: config.CELERIAC_RECONCILE_SCAN_PER_RUN,
        onReport: (report) => {
          for (const problem of report.problems) log.child("reconcile").warn(`${problem.stage}${problem.id ? ` ${problem.id}` : ""}: ${problem.reason}`);
        },
      });

  // Our own queues (events, capture) are bookkeeping, not the cluster's work.
  const ours = new Set([config.CELERIAC_EVENTS_QUEUE, config.CELERIAC_CAPTURE_QUEUE]);
  const sampler: RunningQueueSampler = startQueueSampler({
    broker,
    writer: store,
    queues: config.CELERIAC_QUEUES,
    discoverQueues: async () => (await store.getQueueStats()).map((queue) => queue.queue).filter((queue) => !ours.has(queue)),
    onError: (error) => log.child("queues").warn(error.message),
  });

  // Pool size and queues are only in inspect replies: the workers page shows what the last round heard.
  const inspector = startWorkerInspector({ control: app.control, writer: store, onError: (error) => log.child("workers").warn(error.message) });

  const retention = setInterval(() => {
    store
      .enforceRetention({ maxAgeSeconds: config.CELERIAC_RETENTION_DAYS * 86_400, maxTasks: config.CELERIAC_RETENTION_MAX_TASKS })
      .catch((error: Error) => log.child("retention").warn(error.message));
  }, RETENTION_INTERVAL_MS);
  retention.unref();

  log.info(`ingesting events from ${broker.displayUrl} into ${store.where}${capture ? `, capture records from ${config.CELERIAC_CAPTURE_QUEUE}` : ""}`);
  return {
    events,
    capture,
    stats: () => ({ events: events.stats(), capture: capture?.stats ?? null }),
    async stop() {
      clearInterval(retention);
      await sampler.stop();
      await inspector.stop();
      own.stop();
      await reconciler?.stop();
      await capture?.stop();
      await events.stop();
    },
  };
}
