"use client";
// The alerts open now (firing, resolving, pending): severity, rule, subject with the link to its
// page, value, since when, who acknowledged; operators acknowledge or snooze from here.

import Link from "next/link";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { formatAge } from "../app/_lib/format";
import { type RouterOutputs, useTRPC } from "../trpc/react";
import { useAuditedSubmit } from "./use-audited-submit";
import { usePermission } from "./use-permission";

type OpenAlert = RouterOutputs["alerts"]["current"]["open"][number];

const STATUS_CLASS = { firing: "state-FAILURE", resolving: "state-RETRY", pending: "state-PENDING" } as const;
export const SEVERITY_CLASS: Record<string, string> = { critical: "state-FAILURE", warning: "state-RETRY", info: "state-STARTED" };

export function OpenAlertsTable({ alerts, compact = false }: { alerts: OpenAlert[]; compact?: boolean }) {
  if (alerts.length === 0) return <p className="muted">Nothing is firing.</p>;
  const now = Date.now() / 1000;
  return (
    <table className="alerts">
      <thead>
        <tr>
          <th>status</th>
          <th>severity</th>
          <th>rule</th>
          <th>subject</th>
          <th>since</th>
          <th>acknowledged</th>
          {compact ? null : <th />}
        </tr>
      </thead>
      <tbody>
        {alerts.map((alert) => (
          <tr key={`${alert.ruleId} ${alert.subject}`}>
            <td>
              <span className={`badge ${STATUS_CLASS[alert.status]}`}>{alert.status}</span>
              {alert.silencedBy ? <span className="muted small"> silenced (#{alert.silencedBy})</span> : null}
            </td>
            <td>
              <span className={`badge ${SEVERITY_CLASS[alert.severity] ?? ""}`}>{alert.severity}</span>
            </td>
            <td>{alert.ruleName}</td>
            <td>
              <Link href={alert.link}>{alert.subject || "(cluster)"}</Link>
            </td>
            <td className="nowrap">{formatAge(now - (alert.firedAt ?? alert.since))}</td>
            <td>{alert.acknowledgedBy ? `${alert.acknowledgedBy}${alert.acknowledgeNote ? `: ${alert.acknowledgeNote}` : ""}` : <span className="muted">—</span>}</td>
            {compact ? null : (
              <td className="nowrap">
                <AlertActions alert={alert} />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AlertActions({ alert }: { alert: OpenAlert }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const permission = usePermission("operator");
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
  const acknowledge = useAuditedSubmit(useMutation(trpc.alerts.acknowledge.mutationOptions()).mutateAsync, refresh);
  const silence = useAuditedSubmit(useMutation(trpc.alerts.silence.mutationOptions()).mutateAsync, refresh);
  const [note, setNote] = useState("");
  const disabled = !permission.allowed ? permission.reason : undefined;
  const failure = acknowledge.state.status === "failed" ? acknowledge.state.message : silence.state.status === "failed" ? silence.state.message : null;
  return (
    <div className="toolbar actions">
      {alert.status !== "pending" && !alert.acknowledgedBy ? (
        <>
          <input aria-label={`note for ${alert.ruleName} ${alert.subject}`} placeholder="note" value={note} maxLength={2000} onChange={(event) => setNote(event.target.value)} style={{ width: 120 }} />
          <button type="button" disabled={disabled !== undefined || acknowledge.state.status === "sending"} title={disabled ?? "Say you are on it"} onClick={() => void acknowledge.submit({ ruleId: alert.ruleId, subject: alert.subject, ...(note.trim() ? { note: note.trim() } : {}) })}>
            Acknowledge
          </button>
        </>
      ) : null}
      <button type="button" disabled={disabled !== undefined || silence.state.status === "sending" || alert.silencedBy !== null} title={disabled ?? "Hold back this subject's notifications for an hour"} onClick={() => void silence.submit({ ruleId: alert.ruleId, subject: alert.subject || "*", durationSeconds: 3600 })}>
        Snooze 1 h
      </button>
      {failure ? <span className="error small">{failure}</span> : null}
    </div>
  );
}
