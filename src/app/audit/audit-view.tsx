"use client";
// The audit log: every action attempted from the dashboard — who, when, what on which target, why,
// and how it ended with the ids it created. Filters live in the URL; ?id=N opens the log at entry
// N (the link every action's confirmation shows).

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, useEffect, useState } from "react";
import { QueryStatus } from "../../components/query-status";
import { type RouterOutputs, useTRPC } from "../../trpc/react";
import { formatTime } from "../_lib/format";
import { liveInterval } from "../_lib/live";

type AuditEntry = RouterOutputs["audit"]["list"]["entries"][number];

const PAGE_SIZE = 50;
const OUTCOME_CLASS = { ok: "state-SUCCESS", error: "state-FAILURE", pending: "state-STARTED" } as const;

export function AuditView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const actor = search.get("actor")?.trim() || undefined;
  const action = search.get("action")?.trim() || undefined;
  const focus = /^\d+$/.test(search.get("id") ?? "") ? search.get("id")! : undefined;
  // The entry asked for is the first of its page: `before` is exclusive.
  const start = focus ? (BigInt(focus) + 1n).toString() : undefined;
  const [pages, setPages] = useState<{ key: string; befores: (string | undefined)[] }>({ key: search.toString(), befores: [start] });
  const befores = pages.key === search.toString() ? pages.befores : [start];
  const before = befores[befores.length - 1];
  const query = useQuery({
    ...trpc.audit.list.queryOptions({ limit: PAGE_SIZE, ...(actor ? { actor } : {}), ...(action ? { action } : {}), ...(before ? { before } : {}) }),
    refetchInterval: liveInterval,
    placeholderData: keepPreviousData,
  });
  const [draft, setDraft] = useState({ actor: actor ?? "", action: action ?? "" });
  useEffect(() => setDraft({ actor: actor ?? "", action: action ?? "" }), [actor, action]);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (draft.actor.trim()) next.set("actor", draft.actor.trim());
    if (draft.action.trim()) next.set("action", draft.action.trim());
    router.replace(next.size > 0 ? `${pathname}?${next}` : pathname);
  };
  return (
    <>
      <h1>Audit log</h1>
      <form className="panel toolbar" onSubmit={apply}>
        <input aria-label="actor" placeholder="who (account name)" value={draft.actor} onChange={(event) => setDraft({ ...draft, actor: event.target.value })} />
        <input aria-label="action" placeholder="action, e.g. task. or worker.shutdown" style={{ width: 260 }} value={draft.action} onChange={(event) => setDraft({ ...draft, action: event.target.value })} />
        <button type="submit" className="primary">
          Apply
        </button>
        {focus ? <span className="muted small">from entry #{focus}</span> : null}
      </form>
      <QueryStatus query={query} what="the audit log">
        {(data) => (
          <section className="panel">
            <div className="toolbar">
              <span className="muted">page {befores.length}</span>
              <span className="spacer" />
              <button type="button" disabled={befores.length === 1} onClick={() => setPages({ key: search.toString(), befores: befores.slice(0, -1) })}>
                ← newer
              </button>
              <button type="button" disabled={!data.nextBefore} onClick={() => data.nextBefore && setPages({ key: search.toString(), befores: [...befores, data.nextBefore] })}>
                older →
              </button>
            </div>
            {data.entries.length === 0 ? <p className="muted">No action recorded{actor || action ? " matching these filters" : " yet"}.</p> : <AuditTable entries={data.entries} focus={focus} />}
          </section>
        )}
      </QueryStatus>
    </>
  );
}

function AuditTable({ entries, focus }: { entries: AuditEntry[]; focus: string | undefined }) {
  return (
    <table>
      <thead>
        <tr>
          <th className="num">#</th>
          <th>when</th>
          <th>who</th>
          <th>action</th>
          <th>target</th>
          <th>reason</th>
          <th>outcome</th>
          <th>details</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id} className={entry.id === focus ? "focused" : ""}>
            <td className="num mono small">{entry.id}</td>
            <td className="mono small nowrap">{formatTime(entry.at.getTime() / 1000)}</td>
            <td>
              {entry.actor} <span className="muted small">({entry.role})</span>
            </td>
            <td className="mono">{entry.action}</td>
            <td className="mono small">{entry.target ?? ""}</td>
            <td>{entry.reason ?? <span className="muted">—</span>}</td>
            <td>
              <span className={`badge ${OUTCOME_CLASS[entry.outcome]}`}>{entry.outcome}</span>
              {entry.error ? <div className="error small">{entry.error}</div> : null}
            </td>
            <td>
              <details>
                <summary className="small">input · result</summary>
                <pre>{JSON.stringify({ input: entry.input, result: entry.result, clientAddress: entry.clientAddress, idempotencyKey: entry.idempotencyKey }, null, 2)}</pre>
              </details>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
