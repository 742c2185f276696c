// When `celeriac dashboard` (npm start) builds its pages: on the first start, and whenever a page
// source is newer than the build, so an updated checkout never serves the old pages.

import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { pagesBuildNeeded } from "../../src/cli/pages-build";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function at(path: string, seconds: number): void {
  utimesSync(path, seconds, seconds);
}

it("builds on the first start, not when the build is newer than every page source, and again when a page changed", () => {
  dir = mkdtempSync(join(tmpdir(), "celeriac-pages-"));
  mkdirSync(join(dir, "src", "components", "charts"), { recursive: true });
  const page = join(dir, "src", "components", "charts", "throughput-chart.tsx");
  const server = join(dir, "src", "server.ts");
  writeFileSync(page, "export {};");
  writeFileSync(server, "export {};");
  writeFileSync(join(dir, "next.config.js"), "module.exports = {};");
  expect(pagesBuildNeeded(dir)).toBe("first start only; about a minute");

  mkdirSync(join(dir, ".next"));
  const buildId = join(dir, ".next", "BUILD_ID");
  writeFileSync(buildId, "b1");
  for (const path of [page, join(dir, "src", "components", "charts"), join(dir, "src", "components"), join(dir, "next.config.js")]) at(path, 1_000);
  at(buildId, 2_000);
  // Server code is not part of the pages bundle.
  at(server, 3_000);
  expect(pagesBuildNeeded(dir)).toBeNull();

  at(page, 3_000);
  expect(pagesBuildNeeded(dir)).toBe("src/components changed since the last build");
});
