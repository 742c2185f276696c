// `celeriac alerts` on the real binary: a rules file checked before deployment (exit 0, or 2 with
// every problem named), and the store's rules exported as a Prometheus rules file.

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { alertRuleInput } from "../../src/server/alerts/alert-rule";
import { alertStore, openStore } from "../../src/server/store/index";
import { runCli } from "./run-cli";

let dir: string;

describe("celeriac alerts", () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "celeriac-cli-alerts-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("check-file: says a good file is valid, and names every problem of a bad one with exit code 2", async () => {
    const good = join(dir, "good.yaml");
    await writeFile(good, "rules:\n  - { name: deep, kind: queue_depth, windowSeconds: 300, fireThreshold: 100, resolveThreshold: 10 }\n");
    const ok = await runCli(["alerts", "check-file", good]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("1 rule(s) and 0 channel(s), all valid");
    const bad = join(dir, "bad.yaml");
    await writeFile(bad, "rules:\n  - { name: deep, kind: depth, windowSeconds: 1, fireThreshold: 1, resolveThreshold: 10 }\n");
    const refused = await runCli(["alerts", "check-file", bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/rules\.0\.kind/);
    expect(refused.stderr).toMatch(/rules\.0\.windowSeconds/);
  });

  it("prometheus-rules: writes the store's rules as a Prometheus rules file linking under the public URL", async () => {
    const url = `pglite:${join(dir, "db")}`;
    const store = await openStore(url);
    await alertStore(store).createRule(alertRuleInput.parse({ name: "backlog", kind: "queue_depth", selector: "celery", windowSeconds: 300, fireThreshold: 1000, resolveThreshold: 100, forSeconds: 120 }), "test");
    await store.close();
    const out = join(dir, "celeriac.rules.yml");
    const run = await runCli(["alerts", "prometheus-rules", "-o", out], { env: { DATABASE_URL: url, CELERIAC_PUBLIC_URL: "https://celeriac.example.com" }, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    const [rule] = parse(await readFile(out, "utf8")).groups[0].rules;
    expect(rule).toMatchObject({ alert: "backlog", for: "2m", labels: { severity: "warning" } });
    expect(rule.expr).toContain('celeriac_queue_depth{queue=~"celery"}');
    expect(rule.annotations.dashboard).toBe("https://celeriac.example.com/tasks?queue={{ $labels.queue | urlquery }}&state=PENDING");
  });
});
