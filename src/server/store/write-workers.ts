// Merges worker observations into the worker table (newest report wins, seen times widen) and
// flags tasks left STARTED on a worker that went offline as possibly lost.

import { STARTED } from "../../celery/index";
import type { WorkerObservation } from "../ingest/observation";
import type { BatchStatement } from "./batch-statement";
import type { SqlClient } from "./sql-client";

/** A worker row as stored: the last report's fields, its status and when it was seen. */
export type WorkerRow = Pick<WorkerObservation, "hostname" | "clock" | "freq" | "pid" | "active" | "processed" | "loadavg" | "swIdent" | "swVer" | "swSys"> & {
  /** As last reported: "online" or "offline". */
  status: string;
  lastHeartbeat?: number;
  firstSeen: number;
  lastSeen: number;
};

function foldWorkers(observations: readonly WorkerObservation[]): WorkerRow[] {
  const rows = new Map<string, WorkerRow>();
  for (const observation of [...observations].sort((a, b) => a.at - b.at)) {
    const { hostname, status, at, heartbeat: _heartbeat, ...stats } = observation;
    const previous = rows.get(hostname);
    const defined = Object.fromEntries(Object.entries(stats).filter(([, value]) => value !== undefined));
    rows.set(hostname, {
      ...previous,
      ...defined,
      hostname,
      status,
      // worker-online and worker-heartbeat both prove the worker alive at `at`.
      lastHeartbeat: status === "online" ? at : previous?.lastHeartbeat,
      firstSeen: previous?.firstSeen ?? at,
      lastSeen: at,
    });
  }
  return [...rows.values()].sort((a, b) => (a.hostname < b.hostname ? -1 : 1));
}

const newer = "excluded.last_seen >= w.last_seen";
const newest = (column: string) => `CASE WHEN ${newer} THEN COALESCE(excluded.${column}, w.${column}) ELSE COALESCE(w.${column}, excluded.${column}) END`;

/** The CTE whose rows are the upserted workers' (hostname, status). */
export const WORKERS_CTE = "workers";

/**
 * Adds the workers' upsert to the batch statement as WORKERS_CTE; whoever runs it passes the
 * hostnames left offline to markTasksLost.
 */
export function writeWorkers(statement: BatchStatement, observations: readonly WorkerObservation[]): void {
  if (observations.length === 0) return;
  statement.add(
    WORKERS_CTE,
    `INSERT INTO worker AS w (hostname, status, last_heartbeat, clock, freq, pid, active, processed, loadavg, sw_ident, sw_ver, sw_sys, first_seen, last_seen)
     SELECT x.hostname, x.status, to_timestamp(x."lastHeartbeat"), x.clock::bigint, x.freq, x.pid, x.active, x.processed,
            CASE WHEN x.loadavg IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(x.loadavg)::float8) END,
            x."swIdent", x."swVer", x."swSys", to_timestamp(x."firstSeen"), to_timestamp(x."lastSeen")
     FROM jsonb_to_recordset(${statement.param(JSON.stringify(foldWorkers(observations)))}::jsonb) AS x(hostname text, status text, "lastHeartbeat" float8, clock float8, freq float8, pid int,
          active int, processed int, loadavg jsonb, "swIdent" text, "swVer" text, "swSys" text, "firstSeen" float8, "lastSeen" float8)
     ON CONFLICT (hostname) DO UPDATE SET
       status = CASE WHEN ${newer} THEN excluded.status ELSE w.status END,
       last_heartbeat = GREATEST(w.last_heartbeat, excluded.last_heartbeat),
       clock = ${newest("clock")}, freq = ${newest("freq")}, pid = ${newest("pid")}, active = ${newest("active")},
       processed = ${newest("processed")}, loadavg = ${newest("loadavg")}, sw_ident = ${newest("sw_ident")},
       sw_ver = ${newest("sw_ver")}, sw_sys = ${newest("sw_sys")},
       first_seen = LEAST(w.first_seen, excluded.first_seen), last_seen = GREATEST(w.last_seen, excluded.last_seen)
     RETURNING hostname, status`,
  );
}

/** Flags the tasks still STARTED on these workers as possibly lost. */
export async function markTasksLost(sql: SqlClient, hostnames: readonly string[]): Promise<number> {
  return sql.execute(
    `UPDATE task SET possibly_lost = true, updated_at = now() WHERE state = '${STARTED}' AND NOT possibly_lost AND worker = ANY($1::text[])`,
    hostnames,
  );
}
