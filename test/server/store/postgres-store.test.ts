// The store conformance suite on real PostgreSQL, each store in its own schema dropped afterwards,
// plus connection failures surfacing as StoreUnavailable.

import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { openStore, StoreUnavailable } from "../../../src/server/store/index";
import { describeWith, POSTGRES_URL, uniqueName } from "../../support/services";
import { storeConformance } from "./store-conformance";

const schemas: string[] = [];

/** A URL into `schema`, its connections named after it so a test can find (only) them. */
function schemaUrl(schema: string): string {
  const url = new URL(POSTGRES_URL);
  url.searchParams.set("schema", schema);
  url.searchParams.set("application_name", schema);
  return url.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

await describeWith(["postgres"], "PostgreSQL store", () => {
  afterAll(async () => {
    await admin(async (client) => {
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    });
  });

  storeConformance(() => {
    const schema = uniqueName("store").replace(/-/g, "_");
    schemas.push(schema);
    return openStore(schemaUrl(schema), { poolSize: 4 });
  });

  it("says StoreUnavailable, naming the URL without its password, when PostgreSQL cannot be reached", async () => {
    const error = await openStore("postgresql://postgres:hunter2@127.0.0.1:1/test").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailable);
    expect((error as Error).message).toMatch(/postgresql:\/\/postgres:\*\*@127\.0\.0\.1:1\/test is unavailable/);
    expect((error as Error).message).not.toContain("hunter2");
  });

  it("survives the server dropping a connection it holds between two statements of a transaction", async () => {
    const schema = uniqueName("store_held").replace(/-/g, "_");
    schemas.push(schema);
    const store = await openStore(schemaUrl(schema), { poolSize: 1 });
    try {
      const cut = store.sql.transaction(async (tx) => {
        const [row] = await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        await admin((client) => client.query("SELECT pg_terminate_backend($1)", [row!.pid]));
        // Let the close arrive while no statement runs: pg then emits "error" on the held connection.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.query("SELECT 1");
      });
      await expect(cut).rejects.toThrow();
      await store.applyBatch({ tasks: [{ id: "after-cut", source: "event", state: "SUCCESS" }], workers: [], groups: [], edges: [] });
      expect(await store.getTask("after-cut")).toMatchObject({ state: "SUCCESS" });
    } finally {
      await store.close();
    }
  });

  it("survives the server dropping its connections: the next calls reconnect", async () => {
    const schema = uniqueName("store_drop").replace(/-/g, "_");
    schemas.push(schema);
    const store = await openStore(schemaUrl(schema), { poolSize: 2 });
    try {
      await store.applyBatch({ tasks: [{ id: "before", source: "event", state: "STARTED" }], workers: [], groups: [], edges: [] });
      const killed = await admin(async (client) => (await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [schema])).rowCount);
      expect(killed).toBeGreaterThan(0);
      // The first call after the cut may fail as StoreUnavailable (never another error); then the store works again.
      await store.applyBatch({ tasks: [{ id: "during", source: "event", state: "STARTED" }], workers: [], groups: [], edges: [] }).catch((error: unknown) => {
        expect(error).toBeInstanceOf(StoreUnavailable);
      });
      await store.applyBatch({ tasks: [{ id: "after", source: "event", state: "SUCCESS" }], workers: [], groups: [], edges: [] });
      expect(await store.getTask("after")).toMatchObject({ state: "SUCCESS" });
    } finally {
      await store.close();
    }
  });
});
