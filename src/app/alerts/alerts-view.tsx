"use client";
// The alerts page (/alerts?tab=…): what fires now (acknowledge, snooze), the history with each
// notification's deliveries (sent, failed and why), silences, and the rules and channels (edited
// here by admins; those from the rules file are read-only) with the Prometheus rules download.

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { AlertChannelForm } from "../../components/alert-channel-form";
import { AlertRuleForm } from "../../components/alert-rule-form";
import { OpenAlertsTable, SEVERITY_CLASS } from "../../components/open-alerts-table";
import { QueryStatus } from "../../components/query-status";
import { useAuditedSubmit } from "../../components/use-audited-submit";
import { usePermission } from "../../components/use-permission";
import { type RouterOutputs, useTRPC } from "../../trpc/react";
import { formatAge, formatDuration, formatTime } from "../_lib/format";
import { LIVE_INTERVAL_MS } from "../_lib/live";

const TABS = [
  { key: "firing", label: "Firing now" },
  { key: "history", label: "History" },
  { key: "silences", label: "Silences" },
  { key: "rules", label: "Rules & channels" },
] as const;
type Tab = (typeof TABS)[number]["key"];

export function AlertsView() {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const tab: Tab = TABS.find((candidate) => candidate.key === search.get("tab"))?.key ?? "firing";
  return (
    <>
      <div className="toolbar">
        <h1>Alerts</h1>
        <span className="spacer" />
        <div className="segmented" role="tablist">
          {TABS.map((candidate) => (
            <button key={candidate.key} type="button" role="tab" aria-selected={tab === candidate.key} className={tab === candidate.key ? "selected" : ""} onClick={() => router.replace(`${pathname}?tab=${candidate.key}`)}>
              {candidate.label}
            </button>
          ))}
        </div>
      </div>
      {tab === "firing" ? <FiringTab /> : tab === "history" ? <HistoryTab /> : tab === "silences" ? <SilencesTab /> : <RulesTab />}
    </>
  );
}

function FiringTab() {
  const trpc = useTRPC();
  const current = useQuery({ ...trpc.alerts.current.queryOptions(), refetchInterval: LIVE_INTERVAL_MS });
  return (
    <QueryStatus query={current} what="the alerts">
      {(data) => (
        <>
          <section className="panel">
            <h2>Open alerts</h2>
            <OpenAlertsTable alerts={data.open} />
          </section>
          <section className="panel">
            <h2>Latest</h2>
            <EventTable events={data.recent} />
            <Link href="/alerts?tab=history">all history →</Link>
          </section>
        </>
      )}
    </QueryStatus>
  );
}

type AlertEvent = RouterOutputs["alerts"]["history"]["events"][number];
const DELIVERY_CLASS = { sent: "state-SUCCESS", failed: "state-FAILURE", pending: "state-STARTED" } as const;
const KIND_CLASS = { firing: "state-FAILURE", resolved: "state-SUCCESS", acknowledged: "state-STARTED" } as const;

function EventTable({ events }: { events: AlertEvent[] }) {
  if (events.length === 0) return <p className="muted">No alert has fired yet.</p>;
  return (
    <table className="alert-events">
      <thead>
        <tr>
          <th>when</th>
          <th>event</th>
          <th>rule</th>
          <th>subject</th>
          <th>what</th>
          <th>notifications</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.id}>
            <td className="mono small nowrap">{formatTime(event.at)}</td>
            <td>
              <span className={`badge ${KIND_CLASS[event.kind]}`}>{event.kind}</span> <span className={`badge ${SEVERITY_CLASS[event.severity] ?? ""}`}>{event.severity}</span>
              {event.actor ? <div className="small">by {event.actor}</div> : null}
            </td>
            <td>{event.ruleName}</td>
            <td>
              <Link href={event.link}>{event.subject || "(cluster)"}</Link>
            </td>
            <td className="small">{event.message}</td>
            <td className="small">
              {event.silencedBy ? <div className="muted">silenced by #{event.silencedBy}</div> : null}
              {event.deliveries.map((delivery) => (
                <div key={delivery.id}>
                  <span className={`badge ${DELIVERY_CLASS[delivery.status]}`}>{delivery.status}</span> {delivery.channel} <span className="muted">({delivery.type}, {delivery.attempts} attempt{delivery.attempts === 1 ? "" : "s"})</span>
                  {delivery.lastError ? <div className="error">{delivery.lastError}</div> : null}
                  {delivery.status === "pending" && delivery.nextAttemptAt ? <div className="muted">next attempt {formatTime(delivery.nextAttemptAt)}</div> : null}
                </div>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function HistoryTab() {
  const trpc = useTRPC();
  const [befores, setBefores] = useState<(string | undefined)[]>([undefined]);
  const before = befores[befores.length - 1];
  const history = useQuery({ ...trpc.alerts.history.queryOptions({ limit: 50, ...(before ? { before } : {}) }), refetchInterval: LIVE_INTERVAL_MS, placeholderData: keepPreviousData });
  return (
    <QueryStatus query={history} what="the alert history">
      {(data) => (
        <section className="panel">
          <div className="toolbar">
            <span className="muted">page {befores.length}</span>
            <span className="spacer" />
            <button type="button" disabled={befores.length === 1} onClick={() => setBefores(befores.slice(0, -1))}>
              ← newer
            </button>
            <button type="button" disabled={!data.nextBefore} onClick={() => data.nextBefore && setBefores([...befores, data.nextBefore])}>
              older →
            </button>
          </div>
          <EventTable events={data.events} />
        </section>
      )}
    </QueryStatus>
  );
}

function SilencesTab() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const permission = usePermission("operator");
  const silences = useQuery({ ...trpc.alerts.silences.queryOptions(), refetchInterval: LIVE_INTERVAL_MS });
  const settings = useQuery(trpc.alerts.settings.queryOptions());
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
  const create = useAuditedSubmit(useMutation(trpc.alerts.silence.mutationOptions()).mutateAsync, refresh);
  const expire = useAuditedSubmit(useMutation(trpc.alerts.expireSilence.mutationOptions()).mutateAsync, refresh);
  const [draft, setDraft] = useState({ ruleId: "", subject: "*", hours: "1", reason: "" });
  const rules = new Map((settings.data?.rules ?? []).map((rule) => [rule.id, rule.name]));
  const now = Date.now() / 1000;
  return (
    <>
      <form
        className="panel toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          void create.submit({ ...(draft.ruleId ? { ruleId: draft.ruleId } : {}), subject: draft.subject, durationSeconds: Math.round(Number(draft.hours) * 3600), ...(draft.reason.trim() ? { reason: draft.reason.trim() } : {}) });
        }}
      >
        <select aria-label="rule to silence" value={draft.ruleId} onChange={(event) => setDraft({ ...draft, ruleId: event.target.value })}>
          <option value="">every rule</option>
          {[...rules].map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </select>
        <input aria-label="subjects (glob)" value={draft.subject} onChange={(event) => setDraft({ ...draft, subject: event.target.value })} style={{ width: 160 }} />
        <input aria-label="hours" value={draft.hours} onChange={(event) => setDraft({ ...draft, hours: event.target.value })} style={{ width: 60 }} />
        <span className="muted small">hours</span>
        <input aria-label="reason" placeholder="why" value={draft.reason} onChange={(event) => setDraft({ ...draft, reason: event.target.value })} />
        <button type="submit" className="primary" disabled={!permission.allowed || create.state.status === "sending"} title={permission.reason ?? "Hold back notifications"}>
          Silence
        </button>
        {create.state.status === "failed" ? <span className="error small">{create.state.message}</span> : null}
      </form>
      <QueryStatus query={silences} what="the silences">
        {(data) => (
          <section className="panel">
            {data.length === 0 ? <p className="muted">No silence.</p> : null}
            <table>
              <tbody>
                {data.map((silence) => {
                  const active = silence.startsAt <= now && silence.endsAt > now;
                  return (
                    <tr key={silence.id}>
                      <td className="mono small">#{silence.id}</td>
                      <td>{silence.ruleId ? (rules.get(silence.ruleId) ?? silence.ruleId) : "every rule"}</td>
                      <td className="mono">{silence.subject}</td>
                      <td>
                        {active ? `ends in ${formatDuration(silence.endsAt - now)}` : `ended ${formatAge(now - silence.endsAt)}`}
                        {silence.expiredBy ? <span className="muted small"> (ended by {silence.expiredBy})</span> : null}
                      </td>
                      <td>
                        {silence.createdBy}
                        {silence.reason ? `: ${silence.reason}` : ""}
                      </td>
                      <td>
                        {active ? (
                          <button type="button" disabled={!permission.allowed} title={permission.reason ?? "End this silence now"} onClick={() => void expire.submit({ id: silence.id })}>
                            End now
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {expire.state.status === "failed" ? <p className="error small">{expire.state.message}</p> : null}
          </section>
        )}
      </QueryStatus>
    </>
  );
}

type Rule = RouterOutputs["alerts"]["settings"]["rules"][number];

function RulesTab() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const admin = usePermission("admin");
  const settings = useQuery({ ...trpc.alerts.settings.queryOptions(), refetchInterval: 10_000 });
  const [editing, setEditing] = useState<{ rule: Rule | null } | null>(null);
  const [addingChannel, setAddingChannel] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
  const removeRule = useAuditedSubmit(useMutation(trpc.alerts.deleteRule.mutationOptions()).mutateAsync, refresh);
  const removeChannel = useAuditedSubmit(useMutation(trpc.alerts.deleteChannel.mutationOptions()).mutateAsync, refresh);
  const download = async () => {
    const text = await queryClient.fetchQuery(trpc.alerts.prometheusRules.queryOptions());
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "application/yaml" }));
    link.download = "celeriac.rules.yml";
    link.click();
    URL.revokeObjectURL(link.href);
  };
  return (
    <QueryStatus query={settings} what="the alert rules">
      {(data) => (
        <>
          <section className="panel">
            <div className="toolbar">
              <h2>Rules</h2>
              <span className="spacer" />
              <button type="button" onClick={() => void download()}>
                Prometheus rules file
              </button>
              <button type="button" className="primary" disabled={!admin.allowed} title={admin.reason ?? "Add a rule"} onClick={() => setEditing({ rule: null })}>
                New rule
              </button>
            </div>
            <p className="muted small">
              Evaluator:{" "}
              {data.runner ? `${data.runner.holder}, last run ${data.runner.lastRunAt ? formatAge(Date.now() / 1000 - data.runner.lastRunAt) : "never"}${data.runner.lastError ? ` — ${data.runner.lastError}` : ""}` : "not started yet"}
              {data.rulesFile ? ` · rules file ${data.rulesFile}${data.runner?.rulesFileLoadedAt ? `, loaded ${formatAge(Date.now() / 1000 - data.runner.rulesFileLoadedAt)}` : ""}` : ""}
            </p>
            {data.runner?.rulesFileError ? <div className="banner">{data.runner.rulesFileError}</div> : null}
            {editing ? <AlertRuleForm settings={data} rule={editing.rule} onClose={() => setEditing(null)} /> : null}
            {data.rules.length === 0 ? <p className="muted">No rule yet.</p> : null}
            <table className="rules">
              <tbody>
                {data.rules.map((rule) => (
                  <tr key={rule.id} className={rule.enabled ? "" : "muted"}>
                    <td>
                      <strong>{rule.name}</strong>
                      {rule.source === "file" ? <span className="badge">file</span> : null}
                      {rule.enabled ? null : <span className="muted small"> (disabled)</span>}
                      {rule.description ? <div className="small muted">{rule.description}</div> : null}
                    </td>
                    <td>
                      <span className={`badge ${SEVERITY_CLASS[rule.severity] ?? ""}`}>{rule.severity}</span>
                    </td>
                    <td className="small">
                      {data.kinds[rule.kind].title}
                      {data.kinds[rule.kind].selects ? <span className="mono"> {rule.selector}</span> : null}
                    </td>
                    <td className="small">
                      fires ≥ {rule.fireThreshold}
                      {rule.forSeconds ? ` for ${formatDuration(rule.forSeconds)}` : ""}, resolves &lt; {rule.resolveThreshold}
                      {rule.resolveForSeconds ? ` for ${formatDuration(rule.resolveForSeconds)}` : ""}, window {formatDuration(rule.windowSeconds)}
                    </td>
                    <td className="small">{rule.channels.join(", ") || <span className="muted">no channel</span>}</td>
                    <td className="small muted">{rule.environment === "*" ? "all environments" : rule.environment}</td>
                    <td className="nowrap">
                      {rule.source === "store" ? (
                        <>
                          <button type="button" disabled={!admin.allowed} title={admin.reason ?? "Edit"} onClick={() => setEditing({ rule })}>
                            Edit
                          </button>
                          <button type="button" className="danger" disabled={!admin.allowed} title={admin.reason ?? "Delete (open alerts close, without notification)"} onClick={() => void removeRule.submit({ id: rule.id })}>
                            Delete
                          </button>
                        </>
                      ) : (
                        <span className="muted small">edit the rules file</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {removeRule.state.status === "failed" ? <p className="error small">{removeRule.state.message}</p> : null}
          </section>
          <section className="panel">
            <div className="toolbar">
              <h2>Channels</h2>
              <span className="spacer" />
              <span className="muted small">email goes through {data.smtp ? "the configured SMTP server" : "nothing: CELERIAC_SMTP_URL is not set"}</span>
              <button type="button" disabled={!admin.allowed} title={admin.reason ?? "Add a channel"} onClick={() => setAddingChannel(true)}>
                New channel
              </button>
            </div>
            {addingChannel ? <AlertChannelForm onClose={() => setAddingChannel(false)} /> : null}
            <table>
              <tbody>
                {data.channels.map((channel) => (
                  <tr key={channel.name}>
                    <td>
                      <strong>{channel.name}</strong> {channel.source === "file" ? <span className="badge">file</span> : null}
                    </td>
                    <td>{channel.type}</td>
                    <td className="mono small">{channel.destination}</td>
                    <td className="small">{channel.type === "webhook" ? (channel.hasSecret ? "signed" : "unsigned") : ""}</td>
                    <td>
                      {channel.source === "store" ? (
                        <button type="button" className="danger" disabled={!admin.allowed} title={admin.reason ?? "Delete"} onClick={() => void removeChannel.submit({ name: channel.name })}>
                          Delete
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {removeChannel.state.status === "failed" ? <p className="error small">{removeChannel.state.message}</p> : null}
          </section>
        </>
      )}
    </QueryStatus>
  );
}
