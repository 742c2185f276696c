// Prisma CLI configuration: the JS engine with a driver adapter, so generate, migrate diff and
// migrate deploy run offline (no native engine download). DATABASE_URL picks the adapter:
// postgresql://… → PostgreSQL, anything else → a throwaway in-memory PGlite (enough for
// `prisma migrate diff`; the store applies migrations itself when it opens).
import type { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

// The schema's datasource url is only parsed, never dialled (the adapter below connects).
process.env.PRISMA_DATASOURCE_URL ??= "postgresql://driver-adapter.invalid/unused";

export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    const url = process.env.DATABASE_URL ?? "";
    if (/^postgres(ql)?:\/\//.test(url)) {
      const { PrismaPg } = await import("@prisma/adapter-pg");
      return new PrismaPg({ connectionString: url });
    }
    const { PGlite } = await import("@electric-sql/pglite");
    const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
    const { PrismaPGlite } = await import("pglite-prisma-adapter");
    // pglite-prisma-adapter 0.6 is typed against driver-adapter-utils 6.10; the protocol is the same.
    return new PrismaPGlite(new PGlite({ extensions: { pg_trgm } })) as unknown as PrismaPg;
  },
});
