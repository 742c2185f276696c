// Prisma CLI configuration: the JS engine with a driver adapter, so `prisma generate` and
// `prisma migrate diff` between schema files run offline (no native engine download). The adapter
// is a throwaway in-memory PGlite on purpose: Prisma 6.19's migrate commands cannot drive a real
// PostgreSQL through @prisma/adapter-pg (prisma/orm#27403, "Column type 'name' could not be
// deserialized") and use the configured database as their shadow database, so the CLI is never
// pointed at one. The store applies migrations itself when it opens (`npm run db:migrate`).
import type { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

// The schema's datasource url is only parsed, never dialled.
process.env.PRISMA_DATASOURCE_URL ??= "postgresql://driver-adapter.invalid/unused";

export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    const { PGlite } = await import("@electric-sql/pglite");
    const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
    const { PrismaPGlite } = await import("pglite-prisma-adapter");
    // pglite-prisma-adapter 0.6 is typed against driver-adapter-utils 6.10; the protocol is the same.
    return new PrismaPGlite(new PGlite({ extensions: { pg_trgm } })) as unknown as PrismaPg;
  },
});
