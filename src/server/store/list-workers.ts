// Workers with their liveness: a worker is alive while reported online and its last heartbeat is
// younger than freq × 2 (celery/events/state.py Worker.alive, HEARTBEAT_EXPIRE_WINDOW 200 %).

import type { WorkerDetails } from "../ingest/observation";
import type { SqlClient } from "./sql-client";
import type { WorkerRow } from "./write-workers";

/** A worker as the dashboard lists it: its stored row plus liveness. */
export type WorkerSummary = Omit<WorkerRow, "clock"> & Partial<Pick<WorkerDetails, "poolSize" | "prefetchCount" | "queues">> & {
  /** When the worker last answered inspect (epoch seconds). */
  inspectedAt?: number;
  /** Reported online and heartbeating in time. */
  alive: boolean;
  /** Seconds since the last heartbeat, when there was one. */
  heartbeatAge?: number;
  /**
   * Answered the last inspect rounds: it runs, whatever its heartbeats say. Not alive but
   * answering means its events do not reach us (`--without-heartbeat`, or another broker/vhost).
   */
  answering: boolean;
};

// When a worker never said how often it beats, wait as long as the ingestor's liveness rule does.
const DEFAULT_FREQ = 60;
const EXPIRE_FACTOR = 2;
// Three of the worker inspector's 30-second rounds: one missed reply is not silence.
const ANSWER_FRESH_SECONDS = 90;

/** Every known worker, alive ones first, then by hostname. */
export async function listWorkers(sql: SqlClient, now = Date.now() / 1000): Promise<WorkerSummary[]> {
  const rows = await sql.query<Record<string, unknown>>(
    `SELECT hostname, status, extract(epoch from last_heartbeat)::float8 AS "lastHeartbeat", freq, pid, active, processed, loadavg,
            sw_ident AS "swIdent", sw_ver AS "swVer", sw_sys AS "swSys", pool_size AS "poolSize", prefetch_count AS "prefetchCount", queues,
            extract(epoch from inspected_at)::float8 AS "inspectedAt",
            extract(epoch from first_seen)::float8 AS "firstSeen", extract(epoch from last_seen)::float8 AS "lastSeen"
     FROM worker ORDER BY hostname`,
  );
  const workers = rows.map((row) => {
    const worker = Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null)) as unknown as WorkerSummary;
    if (worker.lastHeartbeat !== undefined) worker.heartbeatAge = Math.max(0, now - worker.lastHeartbeat);
    worker.alive = worker.status === "online" && worker.heartbeatAge !== undefined && worker.heartbeatAge <= (worker.freq ?? DEFAULT_FREQ) * EXPIRE_FACTOR;
    worker.answering = worker.inspectedAt !== undefined && now - worker.inspectedAt <= ANSWER_FRESH_SECONDS;
    return worker;
  });
  return workers.sort((a, b) => Number(b.alive) - Number(a.alive) || (a.hostname < b.hostname ? -1 : 1));
}
