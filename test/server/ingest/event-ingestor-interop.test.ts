// The ingest interop suite (real Python Celery on Redis and RabbitMQ) into the in-memory history double.

import { ingestInteropSuite } from "./ingest-interop-suite";
import { MemoryHistoryWriter } from "./memory-history-writer";

await ingestInteropSuite("the in-memory writer", [], async () => {
  const writer = new MemoryHistoryWriter();
  return {
    writer,
    task: async (id) => {
      const task = writer.tasks.get(id);
      return task && { ...task, timeline: task.timeline.map((event) => event.type) };
    },
    worker: async (hostname) => writer.workers.get(hostname),
    close: async () => undefined,
  };
});
