// The store conformance suite on embedded PGlite (in memory), plus what only the embedded store
// does: a directory store that survives reopening, and URL errors.

import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore, StoreUrlError } from "../../../src/server/store/index";
import { MIGRATIONS_DIR } from "../../../src/server/store/migrate-store";
import { storeConformance } from "./store-conformance";

describe("PGlite store (memory:)", () => {
  storeConformance(() => openStore("memory:"));
});

describe("openStore", () => {
  it("keeps a pglite:<dir> store across reopening, applying the migrations only once", async () => {
    const dir = await mkdtemp(join(tmpdir(), "celeriac-store-"));
    try {
      const first = await openStore(`pglite:${dir}`);
      await first.applyBatch({ tasks: [{ id: "kept", source: "event", state: "STARTED", name: "tasks.keep" }], workers: [], groups: [], edges: [] });
      await first.close();
      const second = await openStore(`pglite:${dir}`);
      try {
        expect(await second.getTask("kept")).toMatchObject({ state: "STARTED", name: "tasks.keep" });
        const migrations = await second.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
        const directories = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((entry) => entry.isDirectory());
        expect(migrations[0]?.n).toBe(directories.length);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("rejects a URL it cannot open, naming it (password masked) and the accepted forms", async () => {
    await expect(openStore("mysql://root:secret@db/celeriac")).rejects.toThrow(StoreUrlError);
    await expect(openStore("mysql://root:secret@db/celeriac")).rejects.toThrow(/mysql:\/\/root:\*\*@db\/celeriac is not a store URL: use postgresql:\/\/.*pglite:<directory>.*memory:/);
    await expect(openStore("")).rejects.toThrow(/is not a store URL/);
  });
});
