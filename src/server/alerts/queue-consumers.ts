// How many consume each queue: the broker's own count where it keeps one (RabbitMQ), else the
// live workers that listed the queue in their last inspect active_queues reply (Redis). A live
// worker never inspected may consume anything: then only the broker's counts are known.

import type { QueueStats, WorkerSummary } from "../store/index";

/** Consumers per queue name; a queue whose count is unknown is absent. */
export function queueConsumers(queues: readonly QueueStats[], workers: readonly WorkerSummary[]): Map<string, number> {
  const alive = workers.filter((worker) => worker.alive);
  const unknown = alive.some((worker) => worker.inspectedAt === undefined);
  const counts = new Map<string, number>();
  for (const queue of queues) {
    if (queue.consumers !== undefined) counts.set(queue.queue, queue.consumers);
    else if (!unknown) counts.set(queue.queue, alive.filter((worker) => worker.queues?.includes(queue.queue)).length);
  }
  return counts;
}
