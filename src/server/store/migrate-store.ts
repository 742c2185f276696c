// Applies prisma/migrations when a store opens, recording them in Prisma's own _prisma_migrations
// table, so an embedded PGlite needs no CLI step and `prisma migrate deploy` agrees on what ran.

import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's migrations, next to the schema. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../prisma/migrations/", import.meta.url));

/** One transaction on the raw driver: `query` runs one statement, `exec` a multi-statement script. */
export interface MigrationTransaction {
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  exec(script: string): Promise<void>;
}

export type RunInTransaction = <T>(work: (tx: MigrationTransaction) => Promise<T>) => Promise<T>;

// Prisma's own DDL for its bookkeeping table.
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

// Any constant: serialises stores opening the same database at once.
const MIGRATION_LOCK = 4_711_021;

/**
 * Applies every migration in `dir` not yet recorded, in name order, all in one transaction
 * (PostgreSQL DDL is transactional: a failed migration leaves nothing half-applied). Returns the
 * names it applied.
 */
export async function migrateStore(transaction: RunInTransaction, dir = MIGRATIONS_DIR): Promise<string[]> {
  const names = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.exec(MIGRATIONS_TABLE);
    const applied = new Set((await tx.query(`SELECT migration_name FROM "_prisma_migrations" WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL`)).map((row) => row.migration_name as string));
    const done: string[] = [];
    for (const name of names) {
      if (applied.has(name)) continue;
      const script = await readFile(join(dir, name, "migration.sql"), "utf8");
      await tx.exec(script);
      const checksum = createHash("sha256").update(script).digest("hex");
      await tx.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`,
        [randomUUID(), checksum, name],
      );
      done.push(name);
    }
    return done;
  });
}
