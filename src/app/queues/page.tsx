"use client";
// /queues: each queue's depth, consumers, pending tasks and oldest wait, live; admins may purge.

import { useQuery } from "@tanstack/react-query";
import { PurgeQueueAction } from "../../components/purge-queue-action";
import { QueryStatus } from "../../components/query-status";
import { QueueTable } from "../../components/queue-table";
import { useTRPC } from "../../trpc/react";
import { liveInterval } from "../_lib/live";

export default function QueuesPage() {
  const trpc = useTRPC();
  const queues = useQuery({ ...trpc.history.queues.queryOptions(), refetchInterval: liveInterval });
  return (
    <>
      <h1>Queues</h1>
      <QueryStatus query={queues} what="queues">
        {(data) => (
          <section className="panel">
            <p className="muted small">Depth and consumers as the broker reported at the last sample; pending and oldest waiting from the history.</p>
            <QueueTable queues={data} actions={(queue) => <PurgeQueueAction queue={queue.queue} />} />
          </section>
        )}
      </QueryStatus>
    </>
  );
}
