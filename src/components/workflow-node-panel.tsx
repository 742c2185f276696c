"use client";
// The side panel of the workflow page: the clicked step's details (arguments, outcome, times)
// with its Retry / Revoke actions and a link to its own page.

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatDuration, formatTime } from "../app/_lib/format";
import { liveInterval } from "../app/_lib/live";
import { useTRPC } from "../trpc/react";
import { JsonBlock } from "./json-block";
import { QueryStatus } from "./query-status";
import { StateBadge } from "./state-badge";
import { TaskActions } from "./task-actions";

export function WorkflowNodePanel({ taskId, onClose }: { taskId: string; onClose: () => void }) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.history.task.queryOptions({ id: taskId }), refetchInterval: liveInterval });
  return (
    <aside className="panel side-panel">
      <div className="toolbar">
        <strong>Step</strong>
        <span className="spacer" />
        <button type="button" className="link-button" onClick={onClose} aria-label="Close the panel">
          ✕
        </button>
      </div>
      <QueryStatus query={query} what="this step">
        {({ task }) => (
          <>
            <h2>
              {task.name ?? "unknown task"} <StateBadge state={task.state} possiblyLost={task.possiblyLost} />
            </h2>
            <p className="mono small">
              <Link href={`/tasks/${encodeURIComponent(task.id)}`}>{task.id}</Link>
            </p>
            {task.state === "PLANNED" ? <p className="muted">Planned: part of the workflow's plan, not sent yet (it runs when the steps before it succeed).</p> : null}
            <dl className="kv">
              <dt>worker</dt>
              <dd className="mono small">{task.worker ?? "—"}</dd>
              <dt>sent</dt>
              <dd className="mono small">{formatTime(task.sentAt)}</dd>
              <dt>started</dt>
              <dd className="mono small">{formatTime(task.startedAt)}</dd>
              <dt>finished</dt>
              <dd className="mono small">{formatTime(task.finishedAt)}</dd>
              <dt>runtime</dt>
              <dd>{formatDuration(task.runtime)}</dd>
              <dt>retries</dt>
              <dd>{task.retries ?? 0}</dd>
            </dl>
            <h3>Args</h3>
            <JsonBlock text={task.argsJson ?? task.argsRepr} />
            {task.kwargsJson && task.kwargsJson !== "{}" ? (
              <>
                <h3>Kwargs</h3>
                <JsonBlock text={task.kwargsJson} />
              </>
            ) : null}
            {/* A step that succeeded on a retry may still carry the earlier attempt's exception. */}
            <h3>{task.exception && task.state !== "SUCCESS" ? "Exception" : "Result"}</h3>
            {task.exception && task.state !== "SUCCESS" ? <pre className="exception">{task.exception}</pre> : <JsonBlock text={task.result} empty={task.state === "SUCCESS" ? "None" : "not finished"} />}
            <TaskActions taskId={task.id} />
          </>
        )}
      </QueryStatus>
    </aside>
  );
}
