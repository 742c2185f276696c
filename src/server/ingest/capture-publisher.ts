// Publishes a capture record of every task message our own producer sends to the capture queue,
// for TypeScript producers whose store lives in another process (the TS twin of
// python/celeriac_capture.py).

import { hostname as osHostname } from "node:os";
import type { Broker, Celery } from "../../celery/index";
import { captureQueueSpec, captureRecordFromMessage, captureRecordMessage, DEFAULT_CAPTURE_QUEUE } from "./capture-record";

export interface CapturePublisherOptions {
  /** Where records go; default the app's own broker. */
  broker?: Broker;
  /** Default "celeriac.capture". */
  queue?: string;
  /** x-max-length of the queue (RabbitMQ enforces it, our Redis broker trims to it); must match the consumer's (default 100 000). */
  maxLength?: number;
  /** Default the OS hostname. */
  hostname?: string;
  /** A record that could not be published; the task message itself was already sent. */
  onError?: (error: Error) => void;
}

export interface CapturePublisher {
  readonly stats: Readonly<{ published: number; failed: number }>;
  /** Resolves once every record started so far is published (or failed). */
  idle(): Promise<void>;
  /** Stops capturing further publishes. */
  stop(): void;
}

/**
 * Hooks `app.onPublish`: after each task message is published, its capture record is published
 * to the capture queue (declared once, durable, bounded). Never throws into the app's publish; a
 * failure is counted and reported through `onError`.
 */
export function installCapturePublisher(app: Celery, options: CapturePublisherOptions = {}): CapturePublisher {
  const broker = options.broker ?? app.broker;
  const queue = options.queue ?? DEFAULT_CAPTURE_QUEUE;
  const hostname = options.hostname ?? osHostname();
  const stats = { published: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();
  let declared: Promise<void> | undefined;

  const publish = async (record: Parameters<typeof captureRecordMessage>[0]) => {
    declared ??= broker.declareQueue(captureQueueSpec(queue, options.maxLength)).catch((error: unknown) => {
      declared = undefined;
      throw error;
    });
    await declared;
    await broker.publish(captureRecordMessage(record), { exchange: "", routingKey: queue });
    stats.published++;
  };

  const stop = app.onPublish((message, target) => {
    const work = (async () => {
      try {
        await publish(captureRecordFromMessage(message, target, { hostname, sentAt: Date.now() / 1000 }));
      } catch (error) {
        stats.failed++;
        options.onError?.(error as Error);
      }
    })();
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  });

  return {
    stats,
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    stop,
  };
}
