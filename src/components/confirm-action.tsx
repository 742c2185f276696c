"use client";
// Every action in the dashboard goes through this: a button opens a dialog that first shows the
// server's preview of exactly what will happen, then Confirm (with an optional reason for the
// audit log) submits it once under an idempotency key chosen when the dialog opened. A re-send of
// the same submission (network failure, double click) reuses the key, so the server acts once;
// after the server has answered, a new attempt is a new submission with a new key.

import { type QueryKey, type UseQueryOptions, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { type ReactNode, useState } from "react";
import { keyAfterFailure } from "../app/_lib/submission-key";
import { type ActionRole, usePermission } from "./use-permission";

/** What every action mutation resolves to. */
export interface ActionOutcome<R> {
  result: R;
  duplicate: boolean;
  auditId: string;
}

export interface ConfirmActionProps<P, R, E extends { message: string } = { message: string }, K extends QueryKey = QueryKey> {
  /** The button's text. */
  label: string;
  /** The dialog's heading. */
  title: string;
  role?: ActionRole;
  danger?: boolean;
  /** Disables the button for reasons of the caller's own (e.g. nothing selected). */
  unavailable?: string;
  /** The preview query, e.g. `trpc.actions.previewRetry.queryOptions({ taskId })`. */
  preview: UseQueryOptions<P, E, P, K>;
  renderPreview: (preview: P) => ReactNode;
  /** Options that change the preview (terminate, signal, …), shown above it in the dialog. */
  options?: ReactNode;
  /** Why Confirm is not possible yet (e.g. the queue name is not typed back). */
  blocked?: (preview: P) => string | null;
  /** Sends the action: called with the submission's key and the reason typed. */
  submit: (preview: P, idempotencyKey: string, reason: string | undefined) => Promise<ActionOutcome<R>>;
  renderResult: (result: R) => ReactNode;
  /** After a successful submission (e.g. to refetch what it changed). */
  onDone?: () => void;
}

export function ConfirmAction<P, R, E extends { message: string }, K extends QueryKey>(props: ConfirmActionProps<P, R, E, K>) {
  const [open, setOpen] = useState(false);
  const permission = usePermission(props.role ?? "operator");
  const reason = permission.allowed ? props.unavailable : permission.reason;
  return (
    <>
      <button type="button" className={props.danger ? "danger" : ""} disabled={reason !== undefined} title={reason ?? props.title} onClick={() => setOpen(true)}>
        {props.label}
      </button>
      {open ? <ConfirmDialog {...props} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

type Submission<R> = { status: "editing" } | { status: "sending" } | { status: "failed"; message: string } | { status: "done"; outcome: ActionOutcome<R> };

function ConfirmDialog<P, R, E extends { message: string }, K extends QueryKey>({ title, danger, preview, renderPreview, options, blocked, submit, renderResult, onDone, onClose }: ConfirmActionProps<P, R, E, K> & { onClose: () => void }) {
  // One key per submission; kept across re-sends of the same one.
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [reason, setReason] = useState("");
  const [submission, setSubmission] = useState<Submission<R>>({ status: "editing" });
  const previewQuery = useQuery({ ...preview, staleTime: Number.POSITIVE_INFINITY, refetchOnWindowFocus: false, retry: false });
  const blockedBy = previewQuery.data !== undefined ? (blocked?.(previewQuery.data) ?? null) : "waiting for the preview";
  const send = async () => {
    if (previewQuery.data === undefined) return;
    setSubmission({ status: "sending" });
    try {
      const outcome = await submit(previewQuery.data, key, reason.trim() || undefined);
      setSubmission({ status: "done", outcome });
      onDone?.();
    } catch (error) {
      setKey((current) => keyAfterFailure(error, current, () => crypto.randomUUID()));
      setSubmission({ status: "failed", message: (error as Error).message });
    }
  };
  return (
    <div className="modal-backdrop" onClick={(event) => event.target === event.currentTarget && submission.status !== "sending" && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-label={title}>
        <h2>{title}</h2>
        {submission.status === "done" ? (
          <>
            <div className="banner ok">
              {submission.outcome.duplicate ? "Already done by an earlier submission of this form: nothing was done again. " : "Done. "}
              <Link href={`/audit?id=${submission.outcome.auditId}`}>Audit entry #{submission.outcome.auditId}</Link>
            </div>
            {renderResult(submission.outcome.result)}
            <div className="toolbar end">
              <button type="button" className="primary" onClick={onClose}>
                Close
              </button>
            </div>
          </>
        ) : (
          <>
            {options ? <div className="options">{options}</div> : null}
            <div className="preview">
              {previewQuery.error ? <p className="error">Cannot preview this action: {previewQuery.error.message}</p> : previewQuery.data === undefined ? <p className="muted">Working out what will happen…</p> : renderPreview(previewQuery.data)}
            </div>
            <label className="reason">
              Reason (for the audit log)
              <input value={reason} maxLength={2000} onChange={(event) => setReason(event.target.value)} placeholder="optional" />
            </label>
            {submission.status === "failed" ? <p className="error">{submission.message}</p> : null}
            <div className="toolbar end">
              {blockedBy && previewQuery.data !== undefined ? <span className="muted small">{blockedBy}</span> : null}
              <button type="button" onClick={onClose} disabled={submission.status === "sending"}>
                Cancel
              </button>
              <button type="button" className={danger ? "danger" : "primary"} disabled={blockedBy !== null || submission.status === "sending"} onClick={() => void send()}>
                {submission.status === "sending" ? "Sending…" : submission.status === "failed" ? "Try again" : "Confirm"}
              </button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
