// Which database a store URL names: PostgreSQL, an embedded PGlite directory, or PGlite in memory.

import { displayUrl } from "../../celery/index";

export type StoreLocation =
  | { kind: "postgres"; url: string; schema?: string }
  | { kind: "pglite"; dir: string }
  | { kind: "memory" };

export const STORE_URL_FORMS = "postgresql://user@host:5432/db[?schema=name], pglite:<directory> (e.g. pglite:./.celeriac/db) or memory:";

/** A store URL that is none of the accepted forms. */
export class StoreUrlError extends Error {
  override readonly name = "StoreUrlError";
}

/** Parses a store URL; throws StoreUrlError naming the URL and the accepted forms. */
export function parseStoreUrl(url: string): StoreLocation {
  const trimmed = url.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    // ?schema= is Prisma's convention for a non-public schema; pg itself does not know it.
    const parsed = new URL(trimmed);
    const schema = parsed.searchParams.get("schema") ?? undefined;
    parsed.searchParams.delete("schema");
    return { kind: "postgres", url: parsed.toString(), ...(schema ? { schema } : {}) };
  }
  if (/^memory:(\/\/)?$/i.test(trimmed)) return { kind: "memory" };
  const pglite = /^pglite:(?:\/\/)?(.+)$/i.exec(trimmed);
  if (pglite?.[1]) return { kind: "pglite", dir: pglite[1] };
  throw new StoreUrlError(`${displayUrl(trimmed) || "(empty)"} is not a store URL: use ${STORE_URL_FORMS}.`);
}
