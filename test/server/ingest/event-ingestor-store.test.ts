// The ingest interop suite (real Python Celery on Redis and RabbitMQ) into the real store: PGlite in
// memory, and PostgreSQL in a schema of its own that is dropped afterwards.

import pg from "pg";
import type { HistoryUnderTest } from "./ingest-interop-suite";
import { ingestInteropSuite } from "./ingest-interop-suite";
import { openStore, type Store } from "../../../src/server/store/index";
import { POSTGRES_URL, uniqueName } from "../../support/services";

function view(store: Store, close: () => Promise<void>): HistoryUnderTest {
  return {
    writer: store,
    task: async (id) => {
      const task = await store.getTask(id);
      // A task row exists as soon as anything is known; PENDING without events is "not yet seen".
      return task ? { ...task, timeline: task.events.map((event) => event.type) } : undefined;
    },
    worker: async (hostname) => (await store.listWorkers()).find((worker) => worker.hostname === hostname),
    close,
  };
}

await ingestInteropSuite("PGlite (memory)", [], async () => {
  const store = await openStore("memory:");
  return view(store, () => store.close());
});

await ingestInteropSuite("PostgreSQL", ["postgres"], async () => {
  const schema = uniqueName("ingest").replace(/-/g, "_");
  const url = new URL(POSTGRES_URL);
  url.searchParams.set("schema", schema);
  const store = await openStore(url.toString(), { poolSize: 4 });
  return view(store, async () => {
    await store.close();
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });
});
