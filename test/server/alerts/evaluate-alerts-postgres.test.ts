// The alert evaluator suite on real PostgreSQL, each test's store in its own schema, dropped afterwards.

import pg from "pg";
import { afterAll } from "vitest";
import { openStore } from "../../../src/server/store/index";
import { describeWith, POSTGRES_URL, uniqueName } from "../../support/services";
import { alertEvaluatorSuite } from "./alert-evaluator-suite";

const schemas: string[] = [];

await describeWith(["postgres"], "alert evaluator on PostgreSQL", () => {
  afterAll(async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  alertEvaluatorSuite(() => {
    const schema = uniqueName("alerts").replace(/-/g, "_");
    schemas.push(schema);
    const url = new URL(POSTGRES_URL);
    url.searchParams.set("schema", schema);
    return openStore(url.toString(), { poolSize: 2 });
  });
});
