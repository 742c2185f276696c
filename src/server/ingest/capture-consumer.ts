// Consumes the capture queue (records from python/celeriac_capture.py and capture-publisher.ts),
// turns each record into store observations and acknowledges it only once the store has them.

import type { Broker, Consumer, Delivery } from "../../celery/index";
import { captureBatch } from "./capture-batch";
import { captureQueueSpec, captureRecordOfMessage, MalformedCaptureRecord } from "./capture-record";
import type { HistoryWriter, IngestBatch } from "./observation";
import { SerialBatchApplier } from "./serial-batch-applier";

/** What went wrong, for the operator: a bad record (dropped), the store (retried) or the broker. */
export type CaptureErrorKind = "malformed" | "store" | "broker";

export interface CaptureConsumerOptions {
  broker: Broker;
  writer: HistoryWriter;
  /** Default "celeriac.capture"; must match the producers' setting. */
  queue?: string;
  /** x-max-length of the queue (RabbitMQ enforces it, our Redis broker trims to it); must match the producers' (default 100 000). */
  maxLength?: number;
  /** Records held unacknowledged at once (bounds memory while the store is slow). Default 64. */
  prefetch?: number;
  /** Every malformed record, store failure and broker error, with its reason. */
  onError?: (error: Error, kind: CaptureErrorKind) => void;
}

export interface CaptureConsumerStats {
  received: number;
  /** Records applied to the store and acknowledged. */
  applied: number;
  /** Records that could not be read: reported, acknowledged and dropped. */
  malformed: number;
  /** Failed applyBatch attempts (each is retried). */
  storeErrors: number;
}

export interface CaptureConsumer {
  readonly stats: Readonly<CaptureConsumerStats>;
  /** Resolves once every record received so far is applied and acknowledged (or dropped). */
  idle(): Promise<void>;
  /** Stops consuming; records not applied yet stay in the queue for the next consumer. */
  stop(): Promise<void>;
}

/**
 * Starts consuming capture records: each is validated (zod), turned into an IngestBatch by
 * workflow-graph.ts and handed to `writer.applyBatch` in arrival order; the record is acked only
 * after applyBatch resolved, and a failing store is retried with backoff while the record stays
 * unacked, so a store outage loses nothing. A malformed record is counted, reported through
 * `onError` and acked so it cannot loop; consumption goes on.
 */
export async function startCaptureConsumer(options: CaptureConsumerOptions): Promise<CaptureConsumer> {
  const stats: CaptureConsumerStats = { received: 0, applied: 0, malformed: 0, storeErrors: 0 };
  const report = (error: Error, kind: CaptureErrorKind) => options.onError?.(error, kind);
  const applier = new SerialBatchApplier(options.writer, {
    onStoreError: (error) => {
      stats.storeErrors++;
      report(error, "store");
    },
  });
  const settling = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    settling.add(work);
    void work.finally(() => settling.delete(work));
  };
  const ack = (delivery: Delivery) => delivery.ack().catch((error: Error) => report(error, "broker"));

  const onDelivery = (delivery: Delivery) => {
    stats.received++;
    let batch: IngestBatch;
    try {
      batch = captureBatch(captureRecordOfMessage(delivery.message));
    } catch (error) {
      stats.malformed++;
      report(error instanceof MalformedCaptureRecord ? error : new MalformedCaptureRecord(`could not be processed: ${(error as Error).message}`, { cause: error }), "malformed");
      track(ack(delivery));
      return;
    }
    track(
      applier.apply(batch).then(async (applied) => {
        // Not applied means stopped: the unacked record goes back to the queue on cancel.
        if (!applied) return;
        await ack(delivery);
        stats.applied++;
      }),
    );
  };

  const consumer: Consumer = await options.broker.consume([captureQueueSpec(options.queue, options.maxLength)], onDelivery, {
    prefetch: options.prefetch ?? 64,
    onError: (error) => {
      // The transport could not even frame it as a delivery (e.g. a Redis list item that is no kombu envelope).
      stats.malformed++;
      report(new MalformedCaptureRecord(`not a broker message: ${error.message}`, { cause: error }), "malformed");
    },
  });

  const idle = async () => {
    while (settling.size > 0) await Promise.all([...settling]);
  };
  return {
    stats,
    idle,
    async stop() {
      applier.stop();
      await idle();
      await consumer.cancel();
    },
  };
}
