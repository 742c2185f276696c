// Opens the store a URL names: PostgreSQL through @prisma/adapter-pg, or PGlite (embedded
// PostgreSQL, same schema and migrations) in a directory or in memory; pending migrations are
// applied before the store is handed out.

import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PrismaPg } from "@prisma/adapter-pg";
import { type Prisma, PrismaClient } from "@prisma/client";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { displayUrl } from "../../celery/index";
import { lockEmbeddedStore } from "./embedded-lock";
import { MIGRATIONS_DIR, migrateStore, type RunInTransaction } from "./migrate-store";
import { type SqlDatabase, sqlClient } from "./sql-client";
import { Store } from "./store";
import { guardConnection } from "./store-unavailable";
import { parseStoreUrl, type StoreLocation } from "./store-url";

export interface OpenStoreOptions {
  /** PostgreSQL connection pool size (default 10). */
  poolSize?: number;
  /** Where the migrations are (default: the repository's prisma/migrations). */
  migrationsDir?: string;
}

interface Driver {
  prisma: PrismaClient;
  sql: SqlDatabase;
  migrations: RunInTransaction;
  close(): Promise<void>;
}

function postgresDriver(location: Extract<StoreLocation, { kind: "postgres" }>, options: OpenStoreOptions): Driver {
  const pool = new pg.Pool({
    connectionString: location.url,
    max: options.poolSize ?? 10,
    ...(location.schema ? { options: `-c search_path="${location.schema}",public` } : {}),
  });
  // An idle connection dropped by the server must not crash the process: the next query
  // reconnects, or fails with StoreUnavailable.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, location.schema ? { schema: location.schema } : {}) });

  async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: unknown;
    // The pool listens for errors only on idle connections: one the server drops while we hold it
    // (even between our queries) emits "error" with nobody listening, which would end the process.
    const onError = (error: Error) => (broken = error);
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: unknown) => (broken = rollbackError));
      throw error;
    } finally {
      client.off("error", onError);
      // A connection that failed, or could not even roll back, is discarded, not handed to the next caller.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  const run = (client: pg.Pool | pg.PoolClient) => sqlClient((text, params) => client.query(text, params));
  return {
    prisma,
    sql: { ...run(pool), transaction: (work) => inTransaction((client) => work(run(client))) },
    migrations: (work) =>
      inTransaction(async (client) => {
        if (location.schema) {
          await client.query(`CREATE SCHEMA IF NOT EXISTS "${location.schema}"`);
          // Extensions are per database: keep pg_trgm's operators in public, which every schema's
          // search_path includes, rather than inside the first schema that happened to migrate.
          await client.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`);
        }
        return work({
          query: async (sql, params) => (await client.query(sql, params)).rows as Record<string, unknown>[],
          // Without parameters pg uses the simple protocol, which accepts a multi-statement script.
          exec: async (script) => void (await client.query(script)),
        });
      }),
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function pgliteDriver(dir: string | undefined): Promise<Driver> {
  if (dir) await mkdir(dir, { recursive: true });
  const unlock = dir ? await lockEmbeddedStore(dir) : async () => {};
  const options = { extensions: { pg_trgm } };
  let db: PGlite;
  try {
    db = dir ? await PGlite.create(dir, options) : await PGlite.create(options);
  } catch (error) {
    await unlock();
    throw error;
  }
  // pglite-prisma-adapter 0.6 is typed against driver-adapter-utils 6.10; the protocol is the same.
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) as unknown as NonNullable<Prisma.PrismaClientOptions["adapter"]> });
  const run = (client: Pick<PGlite, "query">) => sqlClient((text, params) => client.query(text, params));
  return {
    prisma,
    sql: { ...run(db), transaction: (work) => db.transaction((tx) => work(run(tx))) },
    migrations: (work) =>
      db.transaction((tx) =>
        work({
          query: async (sql, params) => (await tx.query<Record<string, unknown>>(sql, params)).rows,
          exec: async (script) => void (await tx.exec(script)),
        }),
      ),
    close: async () => {
      await prisma.$disconnect();
      await db.close();
      await unlock();
    },
  };
}

/**
 * Opens the store at `url` (`postgresql://…[?schema=name]`, `pglite:<directory>` or `memory:`)
 * and applies pending migrations. Throws StoreUrlError for a malformed URL and StoreUnavailable
 * when PostgreSQL cannot be reached.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const location = parseStoreUrl(url);
  const where = displayUrl(url.trim());
  return guardConnection(where, async () => {
    const driver = location.kind === "postgres" ? postgresDriver(location, options) : await pgliteDriver(location.kind === "pglite" ? location.dir : undefined);
    try {
      await migrateStore(driver.migrations, options.migrationsDir ?? MIGRATIONS_DIR);
    } catch (error) {
      await driver.close().catch(() => {});
      throw error;
    }
    return new Store(driver.prisma, driver.sql, where, driver.close);
  });
}
