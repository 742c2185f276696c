"use client";
// Retry or revoke every task the list's current filter matches: the preview lists exactly which
// tasks (and which are skipped and why), and Confirm acts on that previewed set, not on whatever
// matches by then.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { shortId } from "../app/_lib/format";
import type { TaskQueryFilter } from "../app/_lib/task-filters";
import { useTRPC } from "../trpc/react";
import { ConfirmAction } from "./confirm-action";
import { RevokeOptions, type RevokeSignal } from "./revoke-options";
import { SkippedTasks } from "./skipped-tasks";
import { StateBadge } from "./state-badge";
import { WarningList } from "./warning-list";

const SHOWN = 50;

export function BulkTaskActions({ query }: { query: TaskQueryFilter }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const bulk = useMutation(trpc.actions.bulk.mutationOptions());
  const [terminate, setTerminate] = useState(false);
  const [signal, setSignal] = useState<RevokeSignal>("SIGTERM");
  // A bulk action covers every match: no order, page or cursor.
  const { order: _order, ...filter } = query;
  return (
    <span className="toolbar actions">
      {(["retry", "revoke"] as const).map((action) => (
        <ConfirmAction
          key={action}
          label={action === "retry" ? "Retry all matching…" : "Revoke all matching…"}
          title={action === "retry" ? "Retry every task matching the filter" : "Revoke every task matching the filter"}
          danger={action === "revoke"}
          options={action === "revoke" ? <RevokeOptions terminate={terminate} signal={signal} onChange={(t, s) => (setTerminate(t), setSignal(s))} /> : undefined}
          preview={trpc.actions.previewBulk.queryOptions({ action, filter, terminate, signal })}
          renderPreview={(preview) => (
            <>
              <p>
                {action === "retry" ? "Retries" : "Revokes"} <strong>{preview.count.toLocaleString()}</strong> task{preview.count === 1 ? "" : "s"}
                {preview.skipped.length > 0 ? `; ${preview.skipped.length} matching task(s) are left out` : ""}.
              </p>
              <ul className="plain small">
                {preview.tasks.slice(0, SHOWN).map((task) => (
                  <li key={task.taskId}>
                    <StateBadge state={task.state} /> {task.name ?? "?"} <span className="mono">{shortId(task.taskId)}</span>
                  </li>
                ))}
                {preview.tasks.length > SHOWN ? <li className="muted">… and {preview.tasks.length - SHOWN} more</li> : null}
              </ul>
              <SkippedTasks summary="left out" tasks={preview.skipped} limit={SHOWN} />
              <WarningList warnings={preview.warnings} />
            </>
          )}
          blocked={(preview) => (preview.count === 0 ? "no task to act on" : null)}
          submit={(preview, idempotencyKey, reason) => bulk.mutateAsync({ action, filter, terminate, signal, taskIds: preview.ids, confirm: true, idempotencyKey, reason })}
          renderResult={(result) => (
            <>
              <p>
                {result.action === "retry" ? "Sent" : "Revoked"} {result.done.length}:{" "}
                {result.done.slice(0, SHOWN).map((id) => (
                  <Link key={id} className="mono small id-list" href={`/tasks/${encodeURIComponent(id)}`}>
                    {shortId(id)}
                  </Link>
                ))}
                {result.done.length > SHOWN ? ` … and ${result.done.length - SHOWN} more` : ""}
              </p>
              {result.failed.length > 0 ? (
                <ul className="plain small error">
                  {result.failed.map((failure) => (
                    <li key={failure.taskId}>
                      {shortId(failure.taskId)}: {failure.error}
                    </li>
                  ))}
                </ul>
              ) : null}
            </>
          )}
          onDone={() => void queryClient.invalidateQueries({ queryKey: trpc.history.pathKey() })}
        />
      ))}
    </span>
  );
}
