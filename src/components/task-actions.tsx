"use client";
// A task's actions: retry under the same id (the workflow resumes where it failed) or a new one,
// and revoke, optionally terminating it — each previewed, confirmed and audited.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "../trpc/react";
import { ConfirmAction } from "./confirm-action";
import { MessagePreview } from "./message-preview";
import { RevokeOptions, type RevokeSignal } from "./revoke-options";
import { RevokePreview } from "./revoke-preview";
import { RevokeReplies } from "./revoke-replies";
import { WarningList } from "./warning-list";

export function TaskActions({ taskId }: { taskId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const retry = useMutation(trpc.actions.retry.mutationOptions());
  const revoke = useMutation(trpc.actions.revoke.mutationOptions());
  const [terminate, setTerminate] = useState(false);
  const [signal, setSignal] = useState<RevokeSignal>("SIGTERM");
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.history.pathKey() });
  return (
    <span className="toolbar actions">
      {/* Plain Retry lets the server choose: the same id, unless the task was revoked (workers
          would discard it again under its old id). */}
      {([undefined, true] as const).map((newId) => (
        <ConfirmAction
          key={String(newId)}
          label={newId ? "Retry as new task" : "Retry"}
          title={newId ? "Retry under a new task id" : "Retry this task"}
          preview={trpc.actions.previewRetry.queryOptions({ taskId, newId })}
          renderPreview={(preview) => (
            <>
              <p>
                Sends {preview.name ?? "the task"} ({preview.state}) again from its {preview.source === "captured" ? "captured message" : preview.source === "plan" ? "workflow plan" : "result document's arguments"}
                {preview.message.taskId === preview.taskId ? ", same id, retries + 1: what ran after it runs again" : " under a new id (same root and parent)"}.
              </p>
              <MessagePreview message={preview.message} />
              <WarningList warnings={preview.warnings} />
            </>
          )}
          submit={(_preview, idempotencyKey, reason) => retry.mutateAsync({ taskId, newId, idempotencyKey, reason })}
          renderResult={(result) => (
            <p>
              Sent as{" "}
              <Link className="mono" href={`/tasks/${encodeURIComponent(result.sentId)}`}>
                {result.sentId}
              </Link>
              {result.chordGroupId ? ` (chord join of ${result.chordGroupId} rebuilt)` : ""}.
            </p>
          )}
          onDone={refresh}
        />
      ))}
      <ConfirmAction
        label="Revoke"
        title="Revoke this task"
        danger
        options={<RevokeOptions terminate={terminate} signal={signal} onChange={(t, s) => (setTerminate(t), setSignal(s))} />}
        preview={trpc.actions.previewRevoke.queryOptions({ taskId, terminate, signal })}
        renderPreview={(preview) => <RevokePreview preview={preview} />}
        submit={(_preview, idempotencyKey, reason) => revoke.mutateAsync({ taskId, terminate, signal, idempotencyKey, reason })}
        renderResult={(result) => <RevokeReplies result={result} />}
        onDone={refresh}
      />
    </span>
  );
}
