// The dashboard's production build of its pages: made on the first start, and again when the
// page sources changed since (a `git pull` in a checkout), so `npm start` never serves stale pages.

import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

// What goes into the pages bundle; the server code runs as plain Node modules and is not built.
const PAGE_SOURCES = ["src/app", "src/components", "src/trpc", "public", "next.config.js", "package-lock.json"];

function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path, { recursive: true, encoding: "utf8" })) newest = Math.max(newest, statSync(join(path, entry)).mtimeMs);
  return newest;
}

/** Why the pages must be built before serving, or null when the build is newer than every page source. */
export function pagesBuildNeeded(projectDir: string): string | null {
  const buildId = join(projectDir, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return "first start only; about a minute";
  const built = statSync(buildId).mtimeMs;
  const changed = PAGE_SOURCES.find((source) => newestChange(join(projectDir, source)) > built);
  return changed ? `${changed} changed since the last build` : null;
}

/** Runs `next build` in the project, its output shown; throws when it fails. */
export async function buildPages(projectDir: string, reason: string): Promise<void> {
  console.log(`Building the dashboard pages (${reason})…`);
  const started = Date.now();
  const child = spawn(process.execPath, [join(projectDir, "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: projectDir,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`Building the dashboard failed (next build exited with ${code}): see its output above.`);
  console.log(`Built in ${Math.round((Date.now() - started) / 1000)} s.`);
}
