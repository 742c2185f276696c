"use client";
// Every queue now: sampled depth and consumers, tasks the history holds as PENDING there and how
// long the oldest has waited. The queues page adds its purge action per row.

import Link from "next/link";
import type { ReactNode } from "react";
import { formatAge, formatDuration } from "../app/_lib/format";
import type { RouterOutputs } from "../trpc/react";

export type QueueRow = RouterOutputs["history"]["queues"][number];

export function QueueTable({ queues, actions }: { queues: QueueRow[]; actions?: (queue: QueueRow) => ReactNode }) {
  if (queues.length === 0) return <p className="muted">No queue sampled in the last hour and none holds pending tasks.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>queue</th>
          <th className="num">depth</th>
          <th className="num">consumers</th>
          <th className="num">pending (history)</th>
          <th className="num">oldest waiting</th>
          <th>sampled</th>
          <th>broker</th>
          {actions ? <th /> : null}
        </tr>
      </thead>
      <tbody>
        {queues.map((queue) => (
          <tr key={queue.queue}>
            <td>
              <Link href={`/tasks?queue=${encodeURIComponent(queue.queue)}`}>{queue.queue}</Link>
            </td>
            <td className="num">{queue.depth ?? "—"}</td>
            <td className={`num ${queue.consumers === 0 ? "error" : ""}`}>{queue.consumers ?? "—"}</td>
            <td className="num">{queue.pending > 0 ? <Link href={`/tasks?queue=${encodeURIComponent(queue.queue)}&state=PENDING`}>{queue.pending}</Link> : 0}</td>
            <td className={`num ${(queue.oldestWaiting ?? 0) > 60 ? "error" : ""}`}>{formatDuration(queue.oldestWaiting)}</td>
            <td className="muted">{queue.sampledAt !== undefined ? formatAge(Date.now() / 1000 - queue.sampledAt) : "never"}</td>
            <td className="muted mono">{queue.broker ?? ""}</td>
            {actions ? <td>{actions(queue)}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
