// Consumes the capture queue (records from python/celeriac_capture.py and capture-publisher.ts),
// turns each record into store observations and acknowledges it only once the store has them.

import { type Broker, type Consumer, type Delivery, MalformedMessage } from "../../celery/index";
import { captureBatch } from "./capture-batch";
import { invalidReason } from "./check-observation";
import { captureQueueSpec, captureRecordOfMessage, MalformedCaptureRecord } from "./capture-record";
import type { HistoryWriter, IngestBatch } from "./observation";
import { type QuarantineSink, quarantineEntry } from "./quarantine-entry";
import { QuarantineWriter } from "./quarantine-writer";
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
  /** Where records that cannot be read or stored are kept, with the reason. */
  quarantine?: QuarantineSink;
}

export interface CaptureConsumerStats {
  received: number;
  /** Records applied to the store and acknowledged. */
  applied: number;
  /** Records that could not be read or stored: reported, acknowledged and kept in the quarantine. */
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
  const quarantine = new QuarantineWriter(options.quarantine, (error) => report(error, "store"));
  const setAside = (error: Error, input: unknown) => {
    stats.malformed++;
    report(error, "malformed");
    quarantine.add(quarantineEntry("capture", error.message, input));
  };
  const applier = new SerialBatchApplier(options.writer, {
    onStoreError: (error) => {
      stats.storeErrors++;
      report(error, "store");
    },
    onRefused: (refused, reason) => setAside(new MalformedCaptureRecord(`was partly refused by the store (${reason}); the rest of it is stored`), refused),
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
      const invalid = invalidReason(batch);
      if (invalid) throw new MalformedCaptureRecord(`holds a value the store cannot keep: ${invalid}`);
    } catch (error) {
      const malformed = error instanceof MalformedCaptureRecord ? error : new MalformedCaptureRecord(`could not be processed: ${(error as Error).message}`, { cause: error });
      setAside(malformed, delivery.message.body.toString("utf8"));
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
      // The transport could not frame an item as a delivery (a Redis list item that is no kombu
      // envelope): malformed. Anything else is the broker itself (a lost connection), not input.
      if (error instanceof MalformedMessage) setAside(new MalformedCaptureRecord(`not a broker message: ${error.message}`, { cause: error }), error.message);
      else report(error, "broker");
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
      await quarantine.idle();
      quarantine.close();
    },
  };
}
