// Each queue now: its latest sampled depth and consumers, and how long its oldest waiting task
// has waited (the earliest sentAt among tasks still PENDING there).

import { PENDING } from "../../celery/index";
import type { SqlClient } from "./sql-client";

export interface QueueStats {
  queue: string;
  /** Broker of the latest sample; absent when the queue is known only from tasks. */
  broker?: string;
  depth?: number;
  consumers?: number;
  /** Epoch seconds of the latest sample. */
  sampledAt?: number;
  /** Tasks the store holds as PENDING on this queue. */
  pending: number;
  /** Seconds the oldest PENDING task has waited since it was sent. */
  oldestWaiting?: number;
}

/** Samples older than this do not describe "now". */
const SAMPLE_WINDOW_SECONDS = 3600;

/** Every queue sampled in the last hour or holding PENDING tasks, by name. */
export async function getQueueStats(sql: SqlClient, now = Date.now() / 1000): Promise<QueueStats[]> {
  const [samples, waiting] = await Promise.all([
    sql.query<{ broker: string; queue: string; at: number; depth: number; consumers: number | null }>(
      `SELECT DISTINCT ON (queue) broker, queue, extract(epoch from at)::float8 AS at, depth, consumers
       FROM queue_sample WHERE at >= to_timestamp($1::float8) ORDER BY queue, at DESC`,
      now - SAMPLE_WINDOW_SECONDS,
    ),
    sql.query<{ queue: string; pending: number; oldest: number | null }>(
      `SELECT queue, count(*)::float8 AS pending, extract(epoch from min(sent_at))::float8 AS oldest
       FROM task WHERE state = '${PENDING}' AND queue IS NOT NULL GROUP BY queue`,
    ),
  ]);
  const queues = new Map<string, QueueStats>();
  for (const sample of samples) {
    queues.set(sample.queue, { queue: sample.queue, broker: sample.broker, depth: sample.depth, sampledAt: sample.at, pending: 0, ...(sample.consumers !== null ? { consumers: sample.consumers } : {}) });
  }
  for (const row of waiting) {
    const entry = queues.get(row.queue) ?? { queue: row.queue, pending: 0 };
    entry.pending = row.pending;
    if (row.oldest !== null) entry.oldestWaiting = Math.max(0, now - row.oldest);
    queues.set(row.queue, entry);
  }
  return [...queues.values()].sort((a, b) => (a.queue < b.queue ? -1 : 1));
}
