"use client";
// Per task name over the overview's range: how many finished, how many failed, and runtime and
// queue-wait percentiles, with a bar showing p50 → p95 against the slowest task on the page.

import Link from "next/link";
import { formatDuration, formatPercent } from "../app/_lib/format";
import type { RouterOutputs } from "../trpc/react";

type TaskStats = RouterOutputs["history"]["overview"]["taskStats"][number];

export function TaskStatsTable({ stats }: { stats: TaskStats[] }) {
  if (stats.length === 0) return <p className="muted">No task finished in this range.</p>;
  const slowest = Math.max(...stats.map((row) => row.runtime.p95 ?? 0), 1e-6);
  return (
    <table>
      <thead>
        <tr>
          <th>task</th>
          <th className="num">finished</th>
          <th className="num">failed</th>
          <th className="num">failure rate</th>
          <th className="num">runtime p50</th>
          <th className="num">p95</th>
          <th style={{ width: "22%" }}>p50 → p95</th>
          <th className="num">wait p50</th>
          <th className="num">wait p95</th>
        </tr>
      </thead>
      <tbody>
        {stats.map((row) => (
          <tr key={row.taskName}>
            <td>
              <Link href={`/tasks?name=${encodeURIComponent(row.taskName)}`}>{row.taskName}</Link>
            </td>
            <td className="num">{row.total}</td>
            <td className="num">{row.failures > 0 ? <Link href={`/tasks?name=${encodeURIComponent(row.taskName)}&state=FAILURE`} className="error">{row.failures}</Link> : 0}</td>
            <td className={`num ${row.failureRate > 0 ? "error" : ""}`}>{formatPercent(row.failureRate)}</td>
            <td className="num">{formatDuration(row.runtime.p50)}</td>
            <td className="num">{formatDuration(row.runtime.p95)}</td>
            <td>
              <div className="range-bar" title={`p50 ${formatDuration(row.runtime.p50)}, p95 ${formatDuration(row.runtime.p95)}`}>
                <span className="p95" style={{ width: `${((row.runtime.p95 ?? 0) / slowest) * 100}%` }} />
                <span className="p50" style={{ width: `${((row.runtime.p50 ?? 0) / slowest) * 100}%` }} />
              </div>
            </td>
            <td className="num">{formatDuration(row.wait.p50)}</td>
            <td className="num">{formatDuration(row.wait.p95)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
