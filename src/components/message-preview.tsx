// A message an action is about to publish, as the server planned it: id, route, the real
// (redacted) arguments, and what it starts after it runs — so "Retry" says exactly what it sends.

import Link from "next/link";
import type { RouterOutputs } from "../trpc/react";

export type MessagePreviewData = RouterOutputs["actions"]["previewRetry"]["message"];

export function MessagePreview({ message }: { message: MessagePreviewData }) {
  return (
    <>
      <dl className="kv">
        <dt>task</dt>
        <dd>
          {message.name} <span className="mono small">{message.taskId}</span>
        </dd>
        <dt>route</dt>
        <dd className="mono small">
          queue {message.queue ?? "—"} · exchange {JSON.stringify(message.exchange)} · routing key {message.routingKey}
        </dd>
        <dt>args</dt>
        <dd className="mono small">{JSON.stringify(message.args)}</dd>
        <dt>kwargs</dt>
        <dd className="mono small">{JSON.stringify(message.kwargs)}</dd>
        <dt>retries</dt>
        <dd>{message.retries}</dd>
        {message.rootId ? (
          <>
            <dt>workflow</dt>
            <dd className="mono small">
              <Link href={`/workflows/${encodeURIComponent(message.rootId)}`}>{message.rootId}</Link>
              {message.parentId ? ` · parent ${message.parentId}` : ""}
            </dd>
          </>
        ) : null}
        {message.groupId ? (
          <>
            <dt>group</dt>
            <dd className="mono small">
              {message.groupId} #{message.groupIndex ?? "?"}
            </dd>
          </>
        ) : null}
        {message.eta || message.expires || message.priority !== null ? (
          <>
            <dt>options</dt>
            <dd className="small">
              {[message.eta ? `eta ${message.eta}` : "", message.expires ? `expires ${message.expires}` : "", message.priority !== null ? `priority ${message.priority}` : ""].filter(Boolean).join(" · ")}
            </dd>
          </>
        ) : null}
        <dt>then</dt>
        <dd>
          {message.continuation.length === 0 ? (
            <span className="muted">nothing (no chain, chord or callbacks in its message)</span>
          ) : (
            <ol className="continuation">
              {message.continuation.map((step, index) => (
                <li key={`${step.kind}-${step.taskId ?? index}`}>
                  <span className="muted">{step.kind}</span> {step.name} {step.taskId ? <span className="mono small">{step.taskId}</span> : null}
                </li>
              ))}
            </ol>
          )}
        </dd>
      </dl>
      {message.chordJoin ? (
        <p className="small">
          The chord join of group <span className="mono">{message.chordJoin.groupId}</span> is rebuilt first ({message.chordJoin.recorded.length} of {message.chordJoin.size} results kept, {message.chordJoin.dropped.length} dropped), so {message.chordJoin.bodyName} fires once with every result.
        </p>
      ) : null}
    </>
  );
}
