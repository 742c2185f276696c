import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, StoreLocked } from "../../../src/server/store/index";

const dirs: string[] = [];
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "celeriac-lock-"));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("the embedded store's directory lock", () => {
  it("refuses a second opener while the first has it open, and lets it in after close", async () => {
    const dir = join(await dataDir(), "db");
    const first = await openStore(`pglite:${dir}`);
    const second = openStore(`pglite:${dir}`);
    await expect(second).rejects.toBeInstanceOf(StoreLocked);
    await expect(second).rejects.toThrow(/is open in another process \(pid \d+, this one\).*PostgreSQL/);
    await first.close();
    const again = await openStore(`pglite:${dir}`);
    expect(await again.countUsers()).toBe(0);
    await again.close();
  }, 60_000);

  it("takes over a lock left behind by a process that is gone", async () => {
    const dir = join(await dataDir(), "db");
    // pid 2^22+ is beyond Linux's pid_max default: no such process.
    await writeFile(`${dir}.lock`, "4194304");
    const store = await openStore(`pglite:${dir}`);
    expect(await store.countUsers()).toBe(0);
    await store.close();
  }, 60_000);
});
