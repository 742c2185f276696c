// One rule's measurement: the value of every subject it watches (task name, queue, worker, or ""
// for cluster-wide kinds) and the dashboard page that shows it. A subject missing from the result
// has nothing wrong to measure (no failures, no sample, no such worker in the window): it counts
// as 0, so an open alert on it resolves.

import { histogramQuantile } from "../store/histogram";
import type { AlertReadings } from "./alert-readings";
import type { AlertRule } from "./alert-rule";
import type { CounterHistory } from "./counter-history";
import { globMatcher } from "./glob-pattern";
import { queueConsumers } from "./queue-consumers";

export interface Measurement {
  value: number;
  /** Dashboard path (with query) of the subject. */
  link: string;
}

export type Measurements = Map<string, Measurement>;

const q = encodeURIComponent;

/** Dashboard paths of the subjects, so every notification links to where the trouble shows. */
export const subjectLinks = {
  taskName: (name: string) => `/tasks?name=${q(name)}`,
  failedTasks: (name: string) => `/tasks?name=${q(name)}&state=FAILURE`,
  task: (id: string) => `/tasks/${q(id)}`,
  waitingTasks: (queue: string) => `/tasks?queue=${q(queue)}&state=PENDING`,
  queue: (queue: string) => `/queues?queue=${q(queue)}`,
  worker: (hostname: string) => `/workers/${q(hostname)}`,
  overview: () => "/",
  quarantine: () => "/quarantine",
};

export async function measureRule(rule: AlertRule, readings: AlertReadings, counters: CounterHistory): Promise<Measurements> {
  const matches = globMatcher(rule.selector);
  const out: Measurements = new Map();
  switch (rule.kind) {
    case "failure_rate":
    case "task_failures":
      for (const row of await readings.taskOutcomes(rule.windowSeconds)) {
        if (!matches(row.taskName)) continue;
        if (rule.kind === "task_failures") {
          if (row.failures > 0) out.set(row.taskName, { value: row.failures, link: subjectLinks.failedTasks(row.taskName) });
        } else if (row.finished >= rule.minCount) {
          out.set(row.taskName, { value: row.failures / row.finished, link: subjectLinks.failedTasks(row.taskName) });
        }
      }
      break;
    case "runtime_p95":
      for (const [taskName, histogram] of await readings.runtimeHistograms(rule.windowSeconds)) {
        if (!matches(taskName) || histogram.reduce((sum, n) => sum + n, 0) < rule.minCount) continue;
        out.set(taskName, { value: histogramQuantile(histogram, 0.95) ?? 0, link: subjectLinks.taskName(taskName) });
      }
      break;
    case "queue_depth":
      for (const queue of await readings.queues()) {
        if (!matches(queue.queue) || queue.depth === undefined || (queue.sampledAt ?? 0) < readings.now - rule.windowSeconds) continue;
        out.set(queue.queue, { value: queue.depth, link: subjectLinks.waitingTasks(queue.queue) });
      }
      break;
    case "queue_age":
      for (const queue of await readings.queues()) {
        if (matches(queue.queue) && queue.oldestWaiting !== undefined) out.set(queue.queue, { value: queue.oldestWaiting, link: subjectLinks.waitingTasks(queue.queue) });
      }
      break;
    case "queue_no_consumer": {
      const queues = await readings.queues();
      const consumers = queueConsumers(queues, await readings.workers());
      for (const queue of queues) {
        const count = consumers.get(queue.queue);
        if (!matches(queue.queue) || count === undefined || (queue.sampledAt ?? 0) < readings.now - rule.windowSeconds) continue;
        out.set(queue.queue, { value: count === 0 ? 1 : 0, link: subjectLinks.queue(queue.queue) });
      }
      break;
    }
    case "worker_offline":
      for (const worker of await readings.workers()) {
        if (!matches(worker.hostname) || worker.lastSeen < readings.now - rule.windowSeconds) continue;
        out.set(worker.hostname, { value: worker.alive ? 0 : 1, link: subjectLinks.worker(worker.hostname) });
      }
      break;
    case "ingest_lag": {
      const newest = await readings.newestOnlineHeartbeat();
      if (newest !== null) out.set("", { value: Math.max(0, readings.now - newest), link: subjectLinks.overview() });
      break;
    }
    case "ingest_errors":
      out.set("", { value: counters.increase(matches, rule.windowSeconds), link: subjectLinks.quarantine() });
      break;
  }
  return out;
}
