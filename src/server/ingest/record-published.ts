// The in-process capture path: when the producer and the store share a process (the embedded
// dashboard), each task message our app publishes goes straight to the store, through the same
// record → batch code as the capture consumer, minus the broker.

import { hostname as osHostname } from "node:os";
import type { Celery } from "../../celery/index";
import { captureBatch } from "./capture-batch";
import { captureRecordFromMessage } from "./capture-record";
import type { HistoryWriter } from "./observation";
import { SerialBatchApplier } from "./serial-batch-applier";

export interface RecordPublishedOptions {
  /** Default the OS hostname. */
  hostname?: string;
  /** A message that could not be recorded, or a failed store attempt (retried). */
  onError?: (error: Error) => void;
}

export interface PublishedRecorder {
  /** Batches waiting for the store (they live in memory only: a crash loses them). */
  readonly pending: number;
  /** Resolves once everything published so far is in the store. */
  idle(): Promise<void>;
  /** Stops recording; batches not applied yet are abandoned. */
  stop(): void;
}

/**
 * Records every message `app` publishes into `writer`, in publish order, retrying a failing
 * store with backoff. Never throws into the app's publish.
 */
export function recordPublished(app: Celery, writer: HistoryWriter, options: RecordPublishedOptions = {}): PublishedRecorder {
  const hostname = options.hostname ?? osHostname();
  const applier = new SerialBatchApplier(writer, { onStoreError: (error) => options.onError?.(error) });
  const unsubscribe = app.onPublish((message, target) => {
    try {
      void applier.apply(captureBatch(captureRecordFromMessage(message, target, { hostname, sentAt: Date.now() / 1000 })));
    } catch (error) {
      options.onError?.(error as Error);
    }
  });
  return {
    get pending() {
      return applier.pending;
    },
    idle: () => applier.idle(),
    stop() {
      unsubscribe();
      applier.stop();
    },
  };
}
