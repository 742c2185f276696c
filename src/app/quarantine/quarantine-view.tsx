"use client";
// The quarantine: events, capture records and result documents the ingestion could not store, each
// with why, kept (bounded, redacted) so an operator can see what a producer sends wrong. Nothing
// here stopped the inputs after it; the counts are the totals since the store was created.

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { QueryStatus } from "../../components/query-status";
import { type RouterOutputs, useTRPC } from "../../trpc/react";
import { formatTime } from "../_lib/format";
import { liveInterval } from "../_lib/live";

type Entry = RouterOutputs["quarantine"]["list"]["entries"][number];

const PAGE_SIZE = 50;
const SOURCES = ["event", "capture", "backend", "task-message"] as const;
type Source = (typeof SOURCES)[number];

export function QuarantineView() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const source = SOURCES.find((value) => value === search.get("source"));
  const [befores, setBefores] = useState<(string | undefined)[]>([undefined]);
  const before = befores.at(-1);
  const query = useQuery({
    ...trpc.quarantine.list.queryOptions({ limit: PAGE_SIZE, ...(source ? { source } : {}), ...(before ? { before } : {}) }),
    refetchInterval: liveInterval,
    placeholderData: keepPreviousData,
  });
  const choose = (next: Source | undefined) => {
    setBefores([undefined]);
    router.replace(next ? `${pathname}?source=${next}` : pathname);
  };
  return (
    <>
      <h1>Quarantine</h1>
      <p className="muted">
        Inputs that could not be stored — a value the database cannot hold, a record that is not a capture record, a result document that does not decode. Each
        was counted, logged once and set aside here (redacted, the first 16 KB); everything after it was stored as usual.
      </p>
      <QueryStatus query={query} what="the quarantine">
        {(data) => (
          <section className="panel">
            <div className="toolbar">
              <button type="button" className={source ? "" : "primary"} onClick={() => choose(undefined)}>
                all
              </button>
              {SOURCES.map((value) => (
                <button key={value} type="button" className={source === value ? "primary" : ""} onClick={() => choose(value)}>
                  {value} ({(data.totals[value] ?? 0).toLocaleString("en-US")})
                </button>
              ))}
              <span className="spacer" />
              <button type="button" disabled={befores.length === 1} onClick={() => setBefores(befores.slice(0, -1))}>
                ← newer
              </button>
              <button type="button" disabled={!data.nextBefore} onClick={() => data.nextBefore && setBefores([...befores, data.nextBefore])}>
                older →
              </button>
            </div>
            {data.entries.length === 0 ? <p className="muted">Nothing set aside{source ? ` from ${source}s` : ""}.</p> : <QuarantineTable entries={data.entries} />}
          </section>
        )}
      </QueryStatus>
    </>
  );
}

function QuarantineTable({ entries }: { entries: Entry[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th>when</th>
          <th>source</th>
          <th>why</th>
          <th>input</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id}>
            <td className="mono small nowrap">{formatTime(entry.at)}</td>
            <td className="mono">{entry.source}</td>
            <td>{entry.reason}</td>
            <td>
              <details>
                <summary className="small">
                  {entry.size.toLocaleString("en-US")} characters{entry.size > entry.payload.length ? " (start shown)" : ""}
                </summary>
                <pre>{entry.payload}</pre>
              </details>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
