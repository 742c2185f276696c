"use client";
// One task as the history knows it: where it sits in its workflow, its arguments and outcome,
// every event it went through, its children, and the retry / revoke actions. Live.

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { EventTimeline } from "../../../components/event-timeline";
import { JsonBlock } from "../../../components/json-block";
import { QueryStatus } from "../../../components/query-status";
import { StateBadge } from "../../../components/state-badge";
import { TaskActions } from "../../../components/task-actions";
import { TaskTable } from "../../../components/task-table";
import { type RouterOutputs, useTRPC } from "../../../trpc/react";
import { formatDuration, formatTime } from "../../_lib/format";
import { liveInterval } from "../../_lib/live";

type Task = RouterOutputs["history"]["task"]["task"];

export function TaskView({ id }: { id: string }) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.history.task.queryOptions({ id }), refetchInterval: liveInterval });
  return (
    <QueryStatus query={query} what={`task ${id}`}>
      {({ task, children }) => (
        <>
          <div className="toolbar">
            <h1>
              {task.name ?? "Unknown task"} <StateBadge state={task.state} possiblyLost={task.possiblyLost} />
            </h1>
            <span className="spacer" />
            <TaskActions taskId={task.id} />
          </div>
          <div className="mono muted id-line">{task.id}</div>
          {task.possiblyLost ? <div className="banner">Its worker went offline while it was running: it may be lost. Retry it if it should run.</div> : null}
          <div className="columns">
            <section className="panel">
              <h2>Where</h2>
              <Placement task={task} />
            </section>
            <section className="panel">
              <h2>When</h2>
              <Times task={task} />
            </section>
          </div>
          <div className="columns">
            <section className="panel">
              <h2>Args</h2>
              <JsonBlock text={task.argsJson ?? task.argsRepr} />
              <h2>Kwargs</h2>
              <JsonBlock text={task.kwargsJson ?? task.kwargsRepr} />
            </section>
            <section className="panel">
              <h2>Result</h2>
              {task.exception && task.state !== "SUCCESS" ? <pre className="exception">{task.exception}</pre> : <JsonBlock text={task.result} empty={task.state === "SUCCESS" ? "None" : "not finished"} />}
              {task.exception && task.state === "SUCCESS" ? (
                <p className="muted small">
                  An earlier attempt failed: <span className="mono">{task.exception}</span>
                </p>
              ) : null}
              {task.traceback ? (
                <>
                  <h2>Traceback</h2>
                  <pre className="traceback">{task.traceback}</pre>
                </>
              ) : null}
            </section>
          </div>
          <section className="panel">
            <h2>
              Timeline <span className="muted small">{task.retries ? `· retried ${task.retries} time${task.retries === 1 ? "" : "s"}` : ""}</span>
            </h2>
            <EventTimeline events={task.events} />
          </section>
          <section className="panel">
            <h2>Children ({children.length})</h2>
            {children.length > 0 ? <TaskTable tasks={children} showWorkflow={false} /> : <p className="muted">This task started no other task that the history knows of.</p>}
          </section>
        </>
      )}
    </QueryStatus>
  );
}

function Placement({ task }: { task: Task }) {
  const root = task.rootId ?? task.id;
  return (
    <dl className="kv">
      <dt>workflow</dt>
      <dd className="mono">
        <Link href={`/workflows/${encodeURIComponent(root)}`}>{root === task.id ? "this task is the root" : root}</Link>
      </dd>
      <dt>parent</dt>
      <dd className="mono">{task.parentId ? <Link href={`/tasks/${encodeURIComponent(task.parentId)}`}>{task.parentId}</Link> : <span className="muted">none</span>}</dd>
      <dt>group</dt>
      <dd className="mono">{task.groupId ? `${task.groupId}${task.groupIndex !== undefined ? ` #${task.groupIndex}` : ""}` : <span className="muted">none</span>}</dd>
      <dt>worker</dt>
      <dd className="mono">{task.worker ? <Link href={`/tasks?worker=${encodeURIComponent(task.worker)}`}>{task.worker}</Link> : "—"}</dd>
      <dt>queue</dt>
      <dd>
        {task.queue ?? "—"}
        {task.exchange !== undefined || task.routingKey ? <span className="muted small"> · exchange {JSON.stringify(task.exchange ?? "")} · routing key {task.routingKey ?? "—"}</span> : null}
      </dd>
      <dt>retries</dt>
      <dd>{task.retries ?? 0}</dd>
      {task.eta ? (
        <>
          <dt>eta</dt>
          <dd>{task.eta}</dd>
        </>
      ) : null}
      {task.expires ? (
        <>
          <dt>expires</dt>
          <dd>{task.expires}</dd>
        </>
      ) : null}
    </dl>
  );
}

function Times({ task }: { task: Task }) {
  const wait = task.sentAt !== undefined && (task.startedAt ?? task.receivedAt) !== undefined ? (task.startedAt ?? task.receivedAt)! - task.sentAt : undefined;
  return (
    <dl className="kv">
      <dt>sent</dt>
      <dd className="mono">{formatTime(task.sentAt)}</dd>
      <dt>received</dt>
      <dd className="mono">{formatTime(task.receivedAt)}</dd>
      <dt>started</dt>
      <dd className="mono">{formatTime(task.startedAt)}</dd>
      <dt>finished</dt>
      <dd className="mono">{formatTime(task.finishedAt)}</dd>
      <dt>waited</dt>
      <dd>{formatDuration(wait)}</dd>
      <dt>runtime</dt>
      <dd>{formatDuration(task.runtime)}</dd>
      <dt>last update</dt>
      <dd className="mono">{formatTime(task.updatedAt)}</dd>
    </dl>
  );
}
