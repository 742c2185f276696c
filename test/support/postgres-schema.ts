// A PostgreSQL schema of the test's own: a store URL that points into it, and how to drop it
// afterwards, so tests on the shared server never see each other's rows.

import pg from "pg";
import { POSTGRES_URL, uniqueName } from "./services";

export interface PrivateSchema {
  name: string;
  /** POSTGRES_URL with `?schema=<name>`, for openStore / DATABASE_URL. */
  url: string;
  drop(): Promise<void>;
}

export function privateSchema(prefix: string): PrivateSchema {
  const name = uniqueName(prefix).replace(/-/g, "_");
  const url = new URL(POSTGRES_URL);
  url.searchParams.set("schema", name);
  return {
    name,
    url: url.toString(),
    async drop() {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      await admin.end();
    },
  };
}
