"use client";
// A workflow's actions: relaunch it all (every step under a new id) or only its failed steps,
// and revoke whatever of it has not finished — each previewed, confirmed and audited.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { shortId } from "../app/_lib/format";
import { useTRPC } from "../trpc/react";
import { ConfirmAction } from "./confirm-action";
import { MessagePreview } from "./message-preview";
import { RevokeOptions, type RevokeSignal } from "./revoke-options";
import { RevokePreview } from "./revoke-preview";
import { RevokeReplies } from "./revoke-replies";
import { SkippedTasks } from "./skipped-tasks";
import { StateBadge } from "./state-badge";
import { WarningList } from "./warning-list";

const MODES = [
  { mode: "all", label: "Relaunch all", title: "Relaunch the whole workflow under new ids" },
  { mode: "failedOnly", label: "Relaunch failed", title: "Retry only the failed steps" },
] as const;

export function WorkflowActions({ rootId }: { rootId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const relaunch = useMutation(trpc.actions.relaunch.mutationOptions());
  const revoke = useMutation(trpc.actions.revokeWorkflow.mutationOptions());
  const [terminate, setTerminate] = useState(false);
  const [signal, setSignal] = useState<RevokeSignal>("SIGTERM");
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.history.pathKey() });
  return (
    <span className="toolbar actions">
      {MODES.map(({ mode, label, title }) => (
        <ConfirmAction
          key={mode}
          label={label}
          title={title}
          preview={trpc.actions.previewRelaunch.queryOptions({ rootId, mode })}
          renderPreview={(preview) => (
            <>
              {preview.message ? (
                <>
                  <p>Sends the root again with the whole plan in its message, every frozen step under a new id:</p>
                  <MessagePreview message={preview.message} />
                </>
              ) : null}
              {preview.retries.length > 0 ? (
                <>
                  <p>Retries {preview.retries.length} failed step{preview.retries.length === 1 ? "" : "s"} (same ids; what follows them runs again):</p>
                  <ul className="plain">
                    {preview.retries.map((retry) => (
                      <li key={retry.taskId}>
                        <StateBadge state={retry.state} /> {retry.name ?? "?"} <span className="mono small">{shortId(retry.taskId)}</span> · {retry.message.continuation.length} step(s) after it
                      </li>
                    ))}
                  </ul>
                </>
              ) : null}
              <SkippedTasks summary={`${preview.skipped.length} step(s) left alone`} tasks={preview.skipped} />
              <WarningList warnings={preview.warnings} />
            </>
          )}
          blocked={(preview) => (preview.message === null && preview.retries.length === 0 ? "nothing to relaunch" : null)}
          submit={(_preview, idempotencyKey, reason) => relaunch.mutateAsync({ rootId, mode, idempotencyKey, reason })}
          renderResult={(result) => (
            <>
              {result.newRootId ? (
                <p>
                  New workflow:{" "}
                  <Link className="mono" href={`/workflows/${encodeURIComponent(result.newRootId)}`}>
                    {result.newRootId}
                  </Link>
                </p>
              ) : null}
              <p>
                Sent {result.sentIds.length} message{result.sentIds.length === 1 ? "" : "s"}:{" "}
                {result.sentIds.map((id) => (
                  <Link key={id} className="mono small id-list" href={`/tasks/${encodeURIComponent(id)}`}>
                    {shortId(id)}
                  </Link>
                ))}
              </p>
            </>
          )}
          onDone={refresh}
        />
      ))}
      <ConfirmAction
        label="Revoke workflow"
        title="Revoke every unfinished step of this workflow"
        danger
        options={<RevokeOptions terminate={terminate} signal={signal} onChange={(t, s) => (setTerminate(t), setSignal(s))} />}
        preview={trpc.actions.previewRevokeWorkflow.queryOptions({ rootId, terminate, signal })}
        renderPreview={(preview) => (
          <>
            <RevokePreview preview={preview} />
            <p className="muted small">{preview.finished} step(s) already finished are not touched.</p>
          </>
        )}
        blocked={(preview) => (preview.tasks.length === 0 ? "every step has finished: nothing to revoke" : null)}
        submit={(_preview, idempotencyKey, reason) => revoke.mutateAsync({ rootId, terminate, signal, idempotencyKey, reason })}
        renderResult={(result) => <RevokeReplies result={result} />}
        onDone={refresh}
      />
    </span>
  );
}
