// Samples the depth of the cluster's queues for the store's queue charts: the configured queues
// plus any the history has seen, measured through the broker without creating anything (Redis:
// every kombu priority list in one pipeline; RabbitMQ: passive declares with consumer counts).

import { z } from "zod";
import type { Broker } from "../../celery/index";
import { AppError, reasonOf } from "../app-error";
import type { HistoryWriter, QueueSample } from "./observation";
import { startPeriodicSampling } from "./periodic-run";

/** Where the queues to measure come from; `discoverQueues` is typically "queues seen in the store". */
export interface QueueSource {
  broker: Broker;
  /** Queues always sampled (the app's configured queues). */
  queues?: readonly string[];
  /** More queues, asked for at every sample; a failure is reported and the configured ones still sampled. */
  discoverQueues?: () => Promise<readonly string[]> | readonly string[];
  /** Epoch seconds; for tests. */
  now?: () => number;
  /** Told about every failure (discovery, broker, store); sampling goes on. */
  onError?: (error: AppError) => void;
}

export interface QueueSamplerOptions extends QueueSource {
  writer: HistoryWriter;
  /** Pause between the end of one sample and the start of the next, ms. Default 5000. */
  intervalMs?: number;
}

/** A periodic sampler; stop() waits for a sample in progress. */
export interface RunningQueueSampler {
  stop(): Promise<void>;
}

const queueNames = z.array(z.string().min(1));

async function queuesToSample(source: QueueSource): Promise<string[]> {
  const names = [...(source.queues ?? [])];
  if (source.discoverQueues) {
    try {
      const found = queueNames.safeParse(await source.discoverQueues());
      if (!found.success) throw new Error(`expected a list of queue names: ${found.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
      names.push(...found.data);
    } catch (error) {
      source.onError?.(new AppError("UNAVAILABLE", `Queue sampler: could not list the queues seen in the store (${reasonOf(error)}); sampling the configured queues only.`));
    }
  }
  return [...new Set(names)];
}

/**
 * One sample of every queue: depth (and consumers where the broker counts them). A queue that does
 * not exist reads as depth 0 and is not created. Throws AppError UNAVAILABLE when the broker
 * cannot be asked.
 */
export async function sampleQueues(source: QueueSource): Promise<QueueSample[]> {
  const names = await queuesToSample(source);
  if (names.length === 0) return [];
  let infos;
  try {
    infos = await source.broker.inspectQueues(names);
  } catch (error) {
    throw new AppError("UNAVAILABLE", `Queue sampler: could not measure ${names.length} queues on ${source.broker.displayUrl}: ${reasonOf(error)}. Check that the broker is reachable; sampling retries at the next interval.`);
  }
  const at = source.now?.() ?? Date.now() / 1000;
  return infos.map((info) => {
    const sample: QueueSample = { broker: source.broker.displayUrl, queue: info.name, at, depth: info.messages };
    if (info.consumers !== undefined) sample.consumers = info.consumers;
    return sample;
  });
}

/** Samples now and then every `intervalMs` after each sample ends, writing to the store, until stopped. */
export function startQueueSampler(options: QueueSamplerOptions): RunningQueueSampler {
  return startPeriodicSampling({
    name: "startQueueSampler",
    intervalMs: options.intervalMs ?? 5_000,
    sample: () => sampleQueues(options),
    write: (samples) => options.writer.recordQueueSamples(samples),
    refused: (count, reason) => `Queue sampler: the store refused ${count} queue samples: ${reason}; they are dropped (the next sample replaces them).`,
    onError: options.onError,
  });
}
