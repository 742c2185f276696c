// The SQL connection the store's hand-written statements run on: the database driver itself
// (pg or PGlite), not Prisma's raw-query path, which costs 2-3× per statement on the ingest hot
// path (measured by bench/store.ts). Prisma keeps the schema, the migrations and typed models.

/** Runs one parameterised statement ($1, $2, … bound to `params`). */
export interface SqlClient {
  /** The rows the statement returns. */
  query<Row = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<Row[]>;
  /** How many rows the statement affected. */
  execute(sql: string, ...params: unknown[]): Promise<number>;
}

/** A SqlClient that can also run work in one transaction. */
export interface SqlDatabase extends SqlClient {
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
}

/** What the drivers' query functions return, reduced to what SqlClient needs. */
type DriverQuery = (sql: string, params: unknown[]) => Promise<{ rows: unknown[]; affectedRows?: number; rowCount?: number | null }>;

/** A SqlClient over a driver's `query(sql, params)`. */
export function sqlClient(run: DriverQuery): SqlClient {
  return {
    query: async <Row>(sql: string, ...params: unknown[]) => (await run(sql, params)).rows as Row[],
    execute: async (sql: string, ...params: unknown[]) => {
      const result = await run(sql, params);
      return result.rowCount ?? result.affectedRows ?? 0;
    },
  };
}
