// `celeriac dashboard` and `celeriac ingest` run from a bundle of the CLI (bin/server-bundle.js): it
// must be built on first use, reused while no source changed, rebuilt when one did, and run.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, expect, it } from "vitest";
import { serverBundle } from "../../bin/server-bundle.js";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function project(): string {
  dir = mkdtempSync(join(tmpdir(), "celeriac-bundle-"));
  mkdirSync(join(dir, "src", "cli"), { recursive: true });
  writeFileSync(join(dir, "src", "cli", "greeting.ts"), `export const greeting: string = "first";\n`);
  writeFileSync(join(dir, "src", "cli", "celeriac.ts"), `import { greeting } from "./greeting";\nexport async function main(argv: string[]): Promise<string> { return \`\${greeting} \${argv.length}\`; }\n`);
  writeFileSync(join(dir, "package-lock.json"), "{}");
  writeFileSync(join(dir, "tsconfig.json"), "{}");
  for (const path of ["src/cli/greeting.ts", "src/cli/celeriac.ts", "src/cli", "src", "package-lock.json", "tsconfig.json"]) utimesSync(join(dir, path), 1_000, 1_000);
  return dir;
}

it("bundles the CLI on first use, reuses the bundle while no source changed and rebuilds it when one did", async () => {
  const root = project();
  const bundle = await serverBundle(root);
  expect(bundle).toBe(join(root, "node_modules", ".cache", "celeriac", "celeriac.mjs"));
  const first = await import(`${pathToFileURL(bundle).href}?v=1`);
  expect(await first.main(["a", "b"])).toBe("first 2");

  utimesSync(bundle, 2_000, 2_000);
  expect(await serverBundle(root)).toBe(bundle);
  expect(statSync(bundle).mtimeMs).toBe(2_000_000);

  writeFileSync(join(root, "src", "cli", "greeting.ts"), `export const greeting: string = "second";\n`);
  await serverBundle(root);
  expect(statSync(bundle).mtimeMs).toBeGreaterThan(2_000_000);
  expect(readFileSync(bundle, "utf8")).toContain('"second"');
  const second = await import(`${pathToFileURL(bundle).href}?v=2`);
  expect(await second.main([])).toBe("second 0");
});

it("runs `celeriac ingest --help` from the project's own bundle", () => {
  const help = execFileSync(process.execPath, ["bin/celeriac.js", "ingest", "--help"], { encoding: "utf8" });
  expect(help).toContain("Usage: celeriac ingest");
  const bundle = readFileSync(join("node_modules", ".cache", "celeriac", "celeriac.mjs"), "utf8");
  expect(bundle).toContain("Follow the cluster's events");
});
