"use client";
// Rows of tasks: state, name, id (→ task page), workflow (→ workflow page), worker, queue, times
// and a preview of the arguments or the exception.

import Link from "next/link";
import { formatDuration, formatTime, shortId } from "../app/_lib/format";
import type { RouterOutputs } from "../trpc/react";
import { StateBadge } from "./state-badge";

export type TaskRow = RouterOutputs["history"]["tasks"]["tasks"][number];

export function TaskTable({ tasks, showWorkflow = true }: { tasks: TaskRow[]; showWorkflow?: boolean }) {
  if (tasks.length === 0) return <p className="muted">No task matches.</p>;
  return (
    <table className="tasks">
      <thead>
        <tr>
          <th>state</th>
          <th>task</th>
          <th>id</th>
          {showWorkflow ? <th>workflow</th> : null}
          <th>worker</th>
          <th>queue</th>
          <th>first seen</th>
          <th className="num">runtime</th>
          <th className="num">retries</th>
          <th>args / exception</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((task) => (
          <tr key={task.id}>
            <td>
              <StateBadge state={task.state} possiblyLost={task.possiblyLost} />
            </td>
            <td>{task.name ?? <span className="muted">unknown</span>}</td>
            <td className="mono">
              <Link href={`/tasks/${encodeURIComponent(task.id)}`} title={task.id}>
                {shortId(task.id)}
              </Link>
            </td>
            {showWorkflow ? (
              <td className="mono">
                {task.rootId ? (
                  <Link href={`/workflows/${encodeURIComponent(task.rootId)}`} title={`workflow ${task.rootId}`}>
                    {task.rootId === task.id ? "root" : shortId(task.rootId)}
                  </Link>
                ) : null}
              </td>
            ) : null}
            <td className="mono small">{task.worker ?? ""}</td>
            <td>{task.queue ?? ""}</td>
            <td className="mono small">{formatTime(task.firstAt)}</td>
            <td className="num">{task.runtime !== undefined ? formatDuration(task.runtime) : ""}</td>
            <td className="num">{task.retries ? task.retries : ""}</td>
            <td className="mono small preview">{task.exception && task.state !== "SUCCESS" ? <span className="error">{task.exception}</span> : (task.argsPreview ?? "")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
