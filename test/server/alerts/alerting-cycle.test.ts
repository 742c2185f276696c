// The alerting cycle of a server process on a real store: one process evaluates at a time (the
// lease), another takes over when it stops; the rules file is loaded, re-read when it changes,
// and a broken version is reported while the rules loaded before stay in force.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertingCycle } from "../../../src/server/alerts/start-alerting";
import { loadServerConfig } from "../../../src/server/config/server-config";
import { createLogger } from "../../../src/server/runtime/logger";
import { redactPattern } from "../../../src/server/services/redact";
import { alertStore, openStore, type Store } from "../../../src/server/store/index";

let store: Store;
let dir: string;

const rule = (name: string, fire: number) => ({ name, kind: "queue_depth", windowSeconds: 300, fireThreshold: fire, resolveThreshold: 1, channels: ["team"] });

describe("the alerting cycle", () => {
  beforeAll(async () => {
    [store, dir] = await Promise.all([openStore("memory:"), mkdtemp(join(tmpdir(), "celeriac-rules-"))]);
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("loads the rules file, re-reads it when it changes, and keeps the last good rules when a new version is broken", async () => {
    const file = join(dir, "rules.json");
    await writeFile(file, JSON.stringify({ channels: [{ name: "team", type: "email", recipients: ["team@example.com"] }], rules: [rule("deep", 100), rule("deeper", 1000)] }));
    const config = loadServerConfig({ DATABASE_URL: "memory:", CELERIAC_ALERT_RULES_FILE: file });
    const cycle = alertingCycle({ store, config, log: createLogger("silent"), redactKeys: redactPattern() });
    const alerts = alertStore(store);
    await cycle.runOnce();
    expect((await alerts.listRules()).map((entry) => [entry.name, entry.source, entry.fireThreshold])).toEqual([
      ["deep", "file", 100],
      ["deeper", "file", 1000],
    ]);
    expect((await alerts.runnerStatus())?.rulesFile).toBe(file);

    await writeFile(file, JSON.stringify({ channels: [{ name: "team", type: "email", recipients: ["team@example.com"] }], rules: [rule("deep", 50)] }) + " ");
    await cycle.runOnce();
    expect((await alerts.listRules()).map((entry) => [entry.name, entry.fireThreshold])).toEqual([["deep", 50]]);

    await writeFile(file, JSON.stringify({ rules: [{ name: "broken", kind: "queue_depth" }] }));
    await cycle.runOnce();
    expect((await alerts.listRules()).map((entry) => entry.name)).toEqual(["deep"]);
    const status = await alerts.runnerStatus();
    expect(status?.rulesFileError).toMatch(/rules\.0\.windowSeconds/);
    expect(status?.lastRunAt).not.toBeNull();
    await cycle.stop();
  });

  it("lets one process evaluate at a time, and another take over once it stops", async () => {
    const config = loadServerConfig({ DATABASE_URL: "memory:" });
    const options = { store, config, log: createLogger("silent"), redactKeys: redactPattern() };
    const first = alertingCycle(options);
    const second = alertingCycle(options);
    const alerts = alertStore(store);
    await first.runOnce();
    await second.runOnce();
    expect((await alerts.runnerStatus())?.holder).toBe(first.holder);
    expect(await alerts.acquireLease(second.holder, Date.now() / 1000, 30)).toBe(false);
    await first.stop();
    await second.runOnce();
    expect((await alerts.runnerStatus())?.holder).toBe(second.holder);
    await second.stop();
  });
});
