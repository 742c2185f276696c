// The gauges the exported Prometheus rules (prometheus-rules.ts) need beyond /metrics' own: task
// outcomes and runtime p95 per task name over 5 minutes and over every window a rule uses,
// consumers per queue, worker liveness, ingestion lag, and the alerts firing now. Computed the
// way the evaluator computes them, so both alert on the same numbers.

import { Gauge, type Registry } from "prom-client";
import { alertStore, type Store } from "../store/index";
import { histogramQuantile } from "../store/histogram";
import { AlertReadings } from "./alert-readings";
import { promDuration } from "./prometheus-rules";
import { queueConsumers } from "./queue-consumers";

/** Outcomes over this window are always exported, rules or not. */
const DEFAULT_WINDOW = 300;
/** Workers silent for longer are not exported (unless a worker rule's window is longer). */
const WORKER_HORIZON = 86_400;

export interface AlertMetrics {
  refresh(now: number): Promise<void>;
}

/** Registers the gauges on `registry`; refresh() reads the store into them before a scrape. */
export function alertMetrics(registry: Registry, store: Store): AlertMetrics {
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  const outcomes = gauge("celeriac_task_outcomes", "Tasks that finished in the last `window` by task name and state: FAILURE, or OTHER (every other ready state)", ["task_name", "state", "window"]);
  const p95 = gauge("celeriac_task_runtime_p95_seconds", "95th percentile runtime of the tasks that finished in the last `window`, by task name", ["task_name", "window"]);
  const consumers = gauge("celeriac_queue_consumers", "Consumers of a queue: the broker's count where it keeps one, else live workers that listed it in inspect active_queues", ["queue"]);
  const workerUp = gauge("celeriac_worker_up", "1 while the worker heartbeats in time, 0 once it stopped (workers heard from in the last day)", ["hostname"]);
  const lag = gauge("celeriac_ingest_lag_seconds", "Seconds since the newest heartbeat the store holds from an online worker");
  const firing = gauge("celeriac_alerts_firing", "Alerts firing now by severity", ["severity"]);
  const alerts = alertStore(store);

  return {
    async refresh(now) {
      const readings = new AlertReadings(store, alerts, now);
      const [rules, states] = await Promise.all([alerts.listRules(), alerts.listStates()]);
      const enabled = rules.filter((rule) => rule.enabled);
      const windowsOf = (kinds: string[]) => [...new Set(enabled.filter((rule) => kinds.includes(rule.kind)).map((rule) => rule.windowSeconds))];
      const outcomeWindows = [...new Set([DEFAULT_WINDOW, ...windowsOf(["failure_rate", "task_failures", "runtime_p95"])])];
      const [outcomeRows, histogramRows, queues, workers, newest] = await Promise.all([
        Promise.all(outcomeWindows.map(async (window) => [window, await readings.taskOutcomes(window)] as const)),
        Promise.all(windowsOf(["runtime_p95"]).map(async (window) => [window, await readings.runtimeHistograms(window)] as const)),
        readings.queues(),
        readings.workers(),
        readings.newestOnlineHeartbeat(),
      ]);

      outcomes.reset();
      for (const [window, rows] of outcomeRows) {
        for (const row of rows) {
          outcomes.set({ task_name: row.taskName, state: "FAILURE", window: promDuration(window) }, row.failures);
          outcomes.set({ task_name: row.taskName, state: "OTHER", window: promDuration(window) }, row.finished - row.failures);
        }
      }
      p95.reset();
      for (const [window, histograms] of histogramRows) {
        for (const [taskName, histogram] of histograms) {
          const value = histogramQuantile(histogram, 0.95);
          if (value !== null) p95.set({ task_name: taskName, window: promDuration(window) }, value);
        }
      }
      consumers.reset();
      for (const [queue, count] of queueConsumers(queues, workers)) consumers.set({ queue }, count);
      workerUp.reset();
      const horizon = Math.max(WORKER_HORIZON, ...windowsOf(["worker_offline"]));
      for (const worker of workers) if (worker.lastSeen >= now - horizon) workerUp.set({ hostname: worker.hostname }, worker.alive ? 1 : 0);
      lag.reset();
      if (newest !== null) lag.set(Math.max(0, now - newest));
      firing.reset();
      const severity = new Map(rules.map((rule) => [rule.id, rule.severity]));
      for (const state of states) if (state.status !== "pending") firing.inc({ severity: severity.get(state.ruleId) ?? "unknown" });
    },
  };
}
