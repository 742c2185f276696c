// One observation the store refuses must not hold back the others written with it: the store names
// the refusal (StoreRejected), and applyIsolating splits the batch down to the refused observation.
// Against the real store: PGlite in memory, and PostgreSQL in a schema of its own.

import { afterEach, expect, it } from "vitest";
import { applyIsolating } from "../../../src/server/ingest/apply-isolating";
import type { IngestBatch, TaskObservation } from "../../../src/server/ingest/observation";
import { openStore, type Store, StoreRejected } from "../../../src/server/store/index";
import { privateSchema } from "../../support/postgres-schema";
import { describeWith } from "../../support/services";

const task = (id: string, more: Partial<TaskObservation> = {}): TaskObservation => ({ id, source: "event", state: "SUCCESS", stateAt: 1_700_000_000, name: "seedflow.add", ...more });
const batchOf = (tasks: TaskObservation[]): IngestBatch => ({ tasks, workers: [], groups: [], edges: [] });

// Values the store cannot hold, each written past the edge check as a store would meet them.
const POISONS: [string, Partial<TaskObservation>][] = [
  ["a NUL character in the name", { name: "seed\0flow.add" }],
  ["a NUL character in an event field", { event: { type: "task-received", timestamp: 1_700_000_000, fields: { args: "(1,\0)" } } }],
  ["a lone surrogate in an event field", { event: { type: "task-succeeded", timestamp: 1_700_000_000, fields: { result: "\ud800" } } }],
  ["a timestamp past PostgreSQL's range", { stateAt: 1e13 }],
  ["retries beyond a 32-bit integer", { retries: 3e9 }],
];

function suite(label: string, services: "postgres"[], open: () => Promise<{ store: Store; close(): Promise<void> }>) {
  return describeWith(services, `applyIsolating on ${label}`, () => {
    let opened: { store: Store; close(): Promise<void> } | undefined;
    afterEach(async () => {
      await opened?.close();
      opened = undefined;
    });

    it.each(POISONS)("sets aside only the task with %s and writes the rest of its batch", async (_what, poison) => {
      opened = await open();
      const { store } = opened;
      const bad = task("bad", poison);
      await expect(store.applyBatch(batchOf([bad]))).rejects.toBeInstanceOf(StoreRejected);
      const good = Array.from({ length: 9 }, (_, i) => task(`good-${i}`));
      const refused: string[] = [];
      await applyIsolating(store, batchOf([...good.slice(0, 4), bad, ...good.slice(4)]), (batch, reason) => {
        refused.push(`${batch.tasks[0]?.id}: ${reason}`);
      });
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatch(/^bad: The store refused a value \(SQLSTATE \w{5}: /);
      for (const { id } of good) expect((await store.getTask(id))?.state).toBe("SUCCESS");
      expect(await store.getTask("bad")).toBeNull();
    });
  });
}

await suite("PGlite (memory)", [], async () => {
  const store = await openStore("memory:");
  return { store, close: () => store.close() };
});

await suite("PostgreSQL", ["postgres"], async () => {
  const schema = privateSchema("isolate");
  const store = await openStore(schema.url, { poolSize: 2 });
  return {
    store,
    close: async () => {
      await store.close();
      await schema.drop();
    },
  };
});
