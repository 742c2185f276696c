"use client";
// The overview's alert strip: what fires now, linking to the alerts page; nothing when all is quiet.

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { LIVE_INTERVAL_MS } from "../app/_lib/live";
import { useTRPC } from "../trpc/react";
import { OpenAlertsTable } from "./open-alerts-table";

export function FiringAlertsPanel() {
  const trpc = useTRPC();
  const current = useQuery({ ...trpc.alerts.current.queryOptions(), refetchInterval: LIVE_INTERVAL_MS });
  const firing = current.data?.open.filter((alert) => alert.status !== "pending") ?? [];
  if (firing.length === 0) return null;
  return (
    <section className="panel firing-alerts">
      <div className="toolbar">
        <h2>
          {firing.length} alert{firing.length === 1 ? "" : "s"} firing
        </h2>
        <span className="spacer" />
        <Link href="/alerts">alerts →</Link>
      </div>
      <OpenAlertsTable alerts={firing} compact />
    </section>
  );
}
