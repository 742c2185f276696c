// The dashboard's production build of its pages: made on the first start, and again when the
// page sources changed since (a `git pull` in a checkout), so `npm start` never serves stale pages.

import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { newestChange } from "../../bin/newest-change.js";

// What goes into the pages bundle; the server code is bundled apart (bin/server-bundle.js).
const PAGE_SOURCES = ["src/app", "src/components", "src/trpc", "public", "next.config.js", "package-lock.json"];

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
