"use client";
// /workers: every worker the history knows (Python and TypeScript), live, with remote control.

import { useQuery } from "@tanstack/react-query";
import { QueryStatus } from "../../components/query-status";
import { WorkerActions } from "../../components/worker-actions";
import { WorkerTable } from "../../components/worker-table";
import { useTRPC } from "../../trpc/react";
import { liveInterval } from "../_lib/live";

export default function WorkersPage() {
  const trpc = useTRPC();
  const workers = useQuery({ ...trpc.history.workers.queryOptions(), refetchInterval: liveInterval });
  return (
    <>
      <h1>Workers</h1>
      <QueryStatus query={workers} what="workers">
        {(data) => (
          <section className="panel">
            <p className="muted small">
              {data.filter((worker) => worker.alive).length} of {data.length} alive · a worker is alive while its heartbeats arrive within twice their interval
            </p>
            <WorkerTable workers={data} actions={(worker) => <WorkerActions hostname={worker.hostname} />} />
          </section>
        )}
      </QueryStatus>
    </>
  );
}
