// When anything under a path last changed: how the launcher (server bundle) and `celeriac dashboard`
// (pages build) decide that what they built is older than its sources. Plain JavaScript so the
// launcher can use it before any TypeScript loads.

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * The newest modification time (ms) of `path` and, for a directory, everything inside it; 0 when it
 * does not exist.
 * @param {string} path
 * @returns {number}
 */
export function newestChange(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path, { recursive: true, encoding: "utf8" })) newest = Math.max(newest, statSync(join(path, entry)).mtimeMs);
  return newest;
}
