// GET /metrics: Prometheus exposition with low-cardinality labels only (state, queue, task name
// from the rollups; never task ids or per-task hostnames).

import type { ServerResponse } from "node:http";
import { Gauge, Registry } from "prom-client";
import type { Runtime } from "../runtime/runtime";

const WINDOW_SECONDS = 300;

function buildRegistry(runtime: Runtime): Registry {
  const registry = new Registry();
  const labelled = (name: string, help: string, labelNames: string[]) => new Gauge({ name, help, labelNames, registers: [registry] });
  const tasks = labelled("celeriac_tasks_finished_last_5m", "Tasks that reached a state in the last 5 minutes, by state", ["state"]);
  const queueDepth = labelled("celeriac_queue_depth", "Messages waiting, by queue (last sample)", ["queue"]);
  const oldest = labelled("celeriac_queue_oldest_waiting_seconds", "Age of the oldest task still waiting, by queue", ["queue"]);
  const workers = labelled("celeriac_workers_online", "Workers whose heartbeat is current", []);
  const ingest = labelled("celeriac_ingest_events_total", "Events taken by this process's ingestor, by outcome", ["outcome"]);
  const counters = labelled("celeriac_ingest_counter", "Persisted ingestion counters (drops, malformed records, …)", ["name"]);
  new Gauge({
    name: "celeriac_up",
    help: "1 while the store answers",
    registers: [registry],
    async collect() {
      const now = Date.now() / 1000;
      try {
        const [throughput, queues, workerList, stored] = await Promise.all([
          runtime.store.getThroughput({ from: now - WINDOW_SECONDS, to: now + 60 }),
          runtime.store.getQueueStats(now),
          runtime.store.listWorkers(now),
          runtime.store.getCounters(),
        ]);
        tasks.reset();
        const byState: Record<string, number> = {};
        for (const minute of throughput.minutes) for (const [state, count] of Object.entries(minute.counts)) byState[state] = (byState[state] ?? 0) + count;
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
        this.set(1);
      } catch {
        this.set(0);
      }
      const events = runtime.ingestion?.stats().events;
      if (events) for (const outcome of ["received", "written", "dropped", "malformed"] as const) ingest.set({ outcome }, events[outcome]);
    },
  });
  return registry;
}

const registries = new WeakMap<Runtime, Registry>();

export async function handleMetrics(runtime: Runtime, res: ServerResponse): Promise<void> {
  let registry = registries.get(runtime);
  if (!registry) registries.set(runtime, (registry = buildRegistry(runtime)));
  const body = await registry.metrics();
  res.writeHead(200, { "content-type": registry.contentType }).end(body);
}
