"use client";
// The overview: throughput by outcome, failure rate, runtimes by task, queues and workers over a
// time range chosen in the URL (?range=1h), refreshed every two seconds.

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { FiringAlertsPanel } from "../components/firing-alerts-panel";
import { QueryStatus } from "../components/query-status";
import { QueueTable } from "../components/queue-table";
import { TaskStatsTable } from "../components/task-stats-table";
import { ThroughputChart } from "../components/throughput-chart";
import { TimeRangePicker } from "../components/time-range-picker";
import { WorkerTable } from "../components/worker-table";
import { useTRPC } from "../trpc/react";
import { formatPercent } from "./_lib/format";
import { liveInterval } from "./_lib/live";
import { presetRange, timePreset } from "./_lib/time-presets";

export function OverviewView() {
  const trpc = useTRPC();
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const rangeKey = timePreset(search.get("range"))?.key ?? "1h";
  const range = presetRange(rangeKey, Date.now());
  const overview = useQuery({ ...trpc.history.overview.queryOptions(range), refetchInterval: liveInterval, placeholderData: keepPreviousData });
  return (
    <>
      <div className="toolbar">
        <h1>Overview</h1>
        <span className="spacer" />
        <TimeRangePicker value={rangeKey} onChange={(key) => router.replace(`${pathname}?range=${key ?? "1h"}`)} />
      </div>
      <FiringAlertsPanel />
      <QueryStatus query={overview} what="the overview">
        {(data) => {
          const alive = data.workers.filter((worker) => worker.alive).length;
          const depth = data.queues.reduce((sum, queue) => sum + (queue.depth ?? 0), 0);
          const retried = data.throughput.minutes.reduce((sum, minute) => sum + (minute.counts.RETRY ?? 0), 0);
          return (
            <>
              <div className="stats">
                <Stat label="finished" value={data.throughput.total} href="/tasks?state=SUCCESS,FAILURE,REVOKED" />
                <Stat label="failed" value={data.throughput.failures} href={`/tasks?state=FAILURE&range=${rangeKey}`} tone={data.throughput.failures > 0 ? "error" : undefined} />
                <Stat label="failure rate" value={formatPercent(data.throughput.failureRate)} tone={data.throughput.failureRate > 0.05 ? "error" : undefined} />
                {retried > 0 ? <Stat label="retried" value={retried} href={`/tasks?state=RETRY&range=${rangeKey}`} /> : null}
                <Stat label="workers alive" value={`${alive} / ${data.workers.length}`} href="/workers" tone={alive === 0 ? "error" : undefined} />
                <Stat label="queued (broker)" value={depth} href="/queues" />
                {data.ingestion ? <Stat label="events ingested" value={data.ingestion.events.written} /> : null}
              </div>
              <section className="panel">
                <h2>Throughput</h2>
                <ThroughputChart minutes={data.throughput.minutes} from={range.from} to={range.to} />
              </section>
              <section className="panel">
                <h2>Tasks by name</h2>
                <TaskStatsTable stats={data.taskStats} />
              </section>
              <section className="panel">
                <h2>Queues</h2>
                <QueueTable queues={data.queues} />
              </section>
              <section className="panel">
                <h2>Workers</h2>
                <WorkerTable workers={data.workers} />
              </section>
            </>
          );
        }}
      </QueryStatus>
    </>
  );
}

function Stat({ label, value, href, tone }: { label: string; value: string | number; href?: string; tone?: "error" }) {
  const body = (
    <>
      <div className={`value ${tone ?? ""}`}>{value}</div>
      <div className="label">{label}</div>
    </>
  );
  return <div className="stat">{href ? <Link href={href}>{body}</Link> : body}</div>;
}
