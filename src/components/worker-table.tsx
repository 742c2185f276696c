"use client";
// Every worker the history knows, Python and TypeScript alike: liveness from its heartbeats, what
// it is doing, its pool and queues (from inspect replies), its load and software. The workers page
// adds its control actions per row.

import Link from "next/link";
import type { ReactNode } from "react";
import { formatAge } from "../app/_lib/format";
import type { RouterOutputs } from "../trpc/react";

export type WorkerRow = RouterOutputs["history"]["workers"][number];

export function WorkerTable({ workers, actions }: { workers: WorkerRow[]; actions?: (worker: WorkerRow) => ReactNode }) {
  if (workers.length === 0) return <p className="muted">No worker has been seen: start one with events enabled (celery worker -E, or celeriac worker -E).</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>worker</th>
          <th>status</th>
          <th>last heartbeat</th>
          <th className="num">active</th>
          <th className="num">processed</th>
          <th className="num">pool</th>
          <th>queues</th>
          <th>load average</th>
          <th>software</th>
          <th className="num">pid</th>
          {actions ? <th /> : null}
        </tr>
      </thead>
      <tbody>
        {workers.map((worker) => (
          <tr key={worker.hostname}>
            <td>
              <Link href={`/tasks?worker=${encodeURIComponent(worker.hostname)}`} className="mono">
                {worker.hostname}
              </Link>
            </td>
            <td>
              <WorkerStatus worker={worker} />
            </td>
            <td className="muted">{formatAge(worker.heartbeatAge)}{worker.freq ? ` (every ${worker.freq} s)` : ""}</td>
            <td className="num">{worker.active ?? "—"}</td>
            <td className="num">{worker.processed ?? "—"}</td>
            <td className="num" title={worker.prefetchCount === undefined ? undefined : `prefetch ${worker.prefetchCount}`}>
              {worker.poolSize ?? "—"}
            </td>
            <td>
              {worker.queues?.length
                ? worker.queues.map((queue) => (
                    <Link key={queue} href={`/tasks?queue=${encodeURIComponent(queue)}`} className="mono queue-name">
                      {queue}
                    </Link>
                  ))
                : "—"}
            </td>
            <td className="mono">{worker.loadavg?.map((load) => load.toFixed(2)).join(" ") ?? "—"}</td>
            <td>
              {worker.swIdent ?? "?"} {worker.swVer ?? ""} <span className="muted">{worker.swSys ?? ""}</span>
            </td>
            <td className="num mono">{worker.pid ?? ""}</td>
            {actions ? <td>{actions(worker)}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function WorkerStatus({ worker }: { worker: WorkerRow }) {
  if (worker.alive) return <span className="badge state-SUCCESS">alive</span>;
  if (worker.answering) {
    return (
      <span className="badge state-RETRY" title="It answers remote control, but its heartbeats do not reach Celeriac: started with --without-heartbeat, or sending events to another broker or vhost.">
        no heartbeats
      </span>
    );
  }
  return <span className="badge state-REVOKED">{worker.status === "online" ? "silent" : "offline"}</span>;
}
