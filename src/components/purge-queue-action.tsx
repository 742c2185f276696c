"use client";
// Purging a queue (admins only): the preview gives the messages that will be deleted, and
// Confirm stays disabled until the queue's name is typed back.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../trpc/react";
import { ConfirmAction } from "./confirm-action";
import { WarningList } from "./warning-list";

export function PurgeQueueAction({ queue }: { queue: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const purge = useMutation(trpc.actions.purge.mutationOptions());
  const [typed, setTyped] = useState("");
  return (
    <ConfirmAction
      label="Purge…"
      title={`Purge queue ${queue}`}
      role="admin"
      danger
      options={
        <label>
          Type <strong className="mono">{queue}</strong> to confirm{" "}
          <input aria-label="queue name" value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" />
        </label>
      }
      preview={trpc.actions.previewPurge.queryOptions({ queue })}
      renderPreview={(preview) => (
        <>
          <p>
            Deletes the {preview.depth.toLocaleString()} message{preview.depth === 1 ? "" : "s"} waiting in <span className="mono">{preview.queue}</span>.
          </p>
          <WarningList warnings={preview.warnings} />
        </>
      )}
      blocked={() => (typed === queue ? null : "type the queue's name to confirm")}
      submit={(_preview, idempotencyKey, reason) => purge.mutateAsync({ queue, confirmQueue: typed, idempotencyKey, reason })}
      renderResult={(result) => (
        <p>
          Purged {result.purged.toLocaleString()} message{result.purged === 1 ? "" : "s"} from <span className="mono">{result.queue}</span>.
        </p>
      )}
      onDone={() => void queryClient.invalidateQueries({ queryKey: trpc.history.pathKey() })}
    />
  );
}
