// GET /metrics: Prometheus exposition with low-cardinality labels only (state, queue, task name
// from the rollups; never task ids or per-task hostnames).

import type { ServerResponse } from "node:http";
import { Gauge, Registry } from "prom-client";
import { alertMetrics } from "../alerts/alert-metrics";
import type { Runtime } from "../runtime/runtime";

const WINDOW_SECONDS = 300;

interface Exporter {
  registry: Registry;
  /** Reads the store and the ingestor into the gauges; called before each scrape. */
  refresh(): Promise<void>;
}

function buildExporter(runtime: Runtime): Exporter {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  const up = gauge("celeriac_up", "1 while the store answers");
  const tasks = gauge("celeriac_tasks_finished_last_5m", "Tasks that finished in the last 5 minutes by state, and retries (state RETRY)", ["state"]);
  const queueDepth = gauge("celeriac_queue_depth", "Messages waiting, by queue (last sample)", ["queue"]);
  const oldest = gauge("celeriac_queue_oldest_waiting_seconds", "Age of the oldest task still waiting, by queue", ["queue"]);
  const workers = gauge("celeriac_workers_online", "Workers whose heartbeat is current");
  const ingest = gauge("celeriac_ingest_events_total", "Events taken by this process's ingestor, by outcome", ["outcome"]);
  const counters = gauge("celeriac_ingest_counter", "Persisted ingestion counters (drops, malformed records, …)", ["name"]);
  // What the exported Prometheus alert rules read (celeriac alerts prometheus-rules).
  const alerting = alertMetrics(registry, runtime.store);
  const refresh = async () => {
    const now = Date.now() / 1000;
    try {
      const [throughput, queues, workerList, stored] = await Promise.all([
        runtime.store.getThroughput({ from: now - WINDOW_SECONDS, to: now + 60 }),
        runtime.store.getQueueStats(now),
        runtime.store.listWorkers(now),
        runtime.store.getCounters(),
      ]);
      const byState: Record<string, number> = {};
      for (const minute of throughput.minutes) for (const [state, count] of Object.entries(minute.counts)) byState[state] = (byState[state] ?? 0) + count;
      tasks.reset();
      for (const [state, count] of Object.entries(byState)) tasks.set({ state }, count);
      queueDepth.reset();
      oldest.reset();
      for (const queue of queues) {
        if (queue.depth !== undefined) queueDepth.set({ queue: queue.queue }, queue.depth);
        if (queue.oldestWaiting !== undefined) oldest.set({ queue: queue.queue }, queue.oldestWaiting);
      }
      workers.set(workerList.filter((worker) => worker.alive).length);
      counters.reset();
      for (const [name, value] of Object.entries(stored)) counters.set({ name }, value);
      await alerting.refresh(now);
      up.set(1);
    } catch {
      up.set(0);
    }
    const events = runtime.ingestion?.stats().events;
    if (events) for (const outcome of ["received", "written", "dropped", "malformed", "quarantined", "ignored"] as const) ingest.set({ outcome }, events[outcome]);
  };
  return { registry, refresh };
}

const exporters = new WeakMap<Runtime, Exporter>();

export async function handleMetrics(runtime: Runtime, res: ServerResponse): Promise<void> {
  let exporter = exporters.get(runtime);
  if (!exporter) exporters.set(runtime, (exporter = buildExporter(runtime)));
  await exporter.refresh();
  const body = await exporter.registry.metrics();
  res.writeHead(200, { "content-type": exporter.registry.contentType }).end(body);
}
