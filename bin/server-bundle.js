// The long-running server commands (`dashboard`, `ingest`) run from one JavaScript bundle of the CLI
// instead of through tsx's loader: the loader keeps a second V8 isolate for its hooks, an esbuild
// service process and every module's source map, which together cost the idle dashboard about
// 60 MB of its memory. The bundle is rebuilt (in well under a second) whenever a source is newer.

import { existsSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { URL, fileURLToPath } from "node:url";
import { build } from "esbuild";
import { newestChange } from "./newest-change.js";

const PROJECT_DIR = fileURLToPath(new URL("..", import.meta.url));
const SOURCES = ["src", "package-lock.json", "tsconfig.json"];

/** The path of an up-to-date bundle of `<project>/src/cli/celeriac.ts`, built first when a source changed. */
export async function serverBundle(projectDir = PROJECT_DIR) {
  // Three levels below the project, like src/cli/commands/ and src/server/store/: the paths those
  // modules compute from import.meta.url (the project root, prisma/migrations) hold in the bundle too.
  const bundle = join(projectDir, "node_modules", ".cache", "celeriac", "celeriac.mjs");
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  if (SOURCES.every((source) => newestChange(join(projectDir, source)) <= built)) return bundle;
  // Written beside and renamed into place: two commands starting at once never load half a file.
  const partial = `${bundle}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(projectDir, "src", "cli", "celeriac.ts")],
    outfile: partial,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    alias: { "~": join(projectDir, "src") },
    logLevel: "warning",
  });
  renameSync(partial, bundle);
  return bundle;
}
