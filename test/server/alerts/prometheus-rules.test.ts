// The exported Prometheus rules file: `promtool check rules` (Debian's prometheus package) accepts
// it for every rule kind, `promtool test rules` shows a generated rule firing, holding inside its
// hysteresis and resolving on synthetic series, and every metric it reads is one the dashboard's
// /metrics really exposes.

import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse } from "yaml";
import { ALERT_KINDS, type AlertRule, KIND_INFO, alertRuleInput } from "../../../src/server/alerts/alert-rule";
import { prometheusRules, promDuration } from "../../../src/server/alerts/prometheus-rules";
import { alertStore } from "../../../src/server/store/index";
import { type EmbeddedDashboard, startEmbeddedDashboard } from "../http/embedded-dashboard";
import { describeWith } from "../../support/services";

const run = promisify(execFile);

function rule(kind: AlertRule["kind"], overrides: Partial<AlertRule> = {}): AlertRule {
  const spec = alertRuleInput.parse({ name: `celeriac ${kind}`, kind, ...KIND_INFO[kind].defaults, ...overrides });
  return { ...spec, id: `id-${kind}`, source: "store", updatedBy: null, updatedAt: 0 };
}

const ALL = [...ALERT_KINDS.map((kind) => rule(kind)), rule("failure_rate", { name: "pay: rate", selector: "pay.*|billing.charge?", description: "payments failing", forSeconds: 90 })];

let dir: string;
let dashboard: EmbeddedDashboard;

await describeWith(["promtool"], "Prometheus rules file", () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "celeriac-prom-"));
  });
  afterAll(async () => {
    await dashboard?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("is accepted by promtool check rules for every kind, in the groups: format", async () => {
    const text = prometheusRules(ALL, "https://celeriac.example.com/");
    const file = join(dir, "all.rules.yml");
    await writeFile(file, text);
    const { stdout } = await run("promtool", ["check", "rules", file]);
    expect(stdout).toContain(`SUCCESS: ${ALL.length} rules found`);
    const document = parse(text);
    expect(document.groups[0].rules.map((entry: { alert: string }) => entry.alert)).toEqual(ALL.map((entry) => entry.name));
    const pay = document.groups[0].rules.at(-1);
    expect(pay).toMatchObject({ for: "90s", keep_firing_for: "2m", labels: { severity: "warning", celeriac_rule: "id-failure_rate" }, annotations: { description: "payments failing" } });
    expect(pay.expr).toContain(`task_name=~"pay\\\\..*|billing\\\\.charge."`);
    expect(pay.annotations.dashboard).toBe("https://celeriac.example.com/tasks?name={{ $labels.task_name | urlquery }}&state=FAILURE");
  });

  it("fires, holds between the thresholds and resolves under promtool test rules", async () => {
    const rate = rule("failure_rate", { name: "rate", selector: "pay.*", windowSeconds: 300, fireThreshold: 0.5, resolveThreshold: 0.2, resolveForSeconds: 0, minCount: 4 });
    await writeFile(join(dir, "rate.rules.yml"), prometheusRules([rate], "http://dash"));
    const expected = (value: number) => ({
      exp_labels: { severity: "warning", celeriac_rule: "id-failure_rate", task_name: "pay.charge" },
      exp_annotations: { summary: `rate: pay.charge is ${value}`, dashboard: "http://dash/tasks?name=pay.charge&state=FAILURE" },
    });
    // Failures out of finished (FAILURE + OTHER) each minute: 3/6, then 2/6 (between), then 1/10.
    const tests = {
      rule_files: ["rate.rules.yml"],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: [
            { series: 'celeriac_task_outcomes{task_name="pay.charge",state="FAILURE",window="5m"}', values: "3 3 2 2 1 1" },
            { series: 'celeriac_task_outcomes{task_name="pay.charge",state="OTHER",window="5m"}', values: "3 3 4 4 9 9" },
          ],
          alert_rule_test: [
            { eval_time: "1m", alertname: "rate", exp_alerts: [expected(0.5)] },
            // 2 of 6 is under the fire threshold: only the hysteresis keeps it firing.
            { eval_time: "3m", alertname: "rate", exp_alerts: [expected(0.3333333333333333)] },
            { eval_time: "5m", alertname: "rate", exp_alerts: [] },
          ],
        },
      ],
    };
    await writeFile(join(dir, "rate.test.yml"), JSON.stringify(tests));
    const { stdout } = await run("promtool", ["test", "rules", "rate.test.yml"], { cwd: dir });
    expect(stdout).toContain("SUCCESS");
  });

  it("reads only metrics the dashboard's /metrics exposes", async () => {
    dashboard = await startEmbeddedDashboard({ name: "root", password: "admin password 12" });
    // Rules with windows of their own make /metrics export those windows.
    for (const entry of ALL) await alertStore(dashboard.runtime.store).createRule(entry, "test");
    const now = Date.now() / 1000;
    await dashboard.runtime.store.applyBatch({ tasks: [{ id: "one-failure", source: "event", name: "pay.charge", state: "FAILURE", stateAt: now, finishedAt: now }], workers: [], groups: [], edges: [] });
    const exposed = await (await fetch(`${dashboard.baseUrl}/metrics`)).text();
    const names = new Set([...exposed.matchAll(/^# TYPE (\S+)/gm)].map((match) => match[1]));
    const expressions = parse(prometheusRules(ALL, "http://dash")).groups[0].rules.map((entry: { expr: string }) => entry.expr).join("\n");
    const used = new Set([...expressions.matchAll(/\b(celeriac_[a-z0-9_]+)/g)].map((match) => match[1]));
    expect(used.size).toBeGreaterThanOrEqual(8);
    expect([...used].filter((name) => !names.has(name))).toEqual([]);
    for (const window of new Set(ALL.filter((entry) => entry.kind === "failure_rate" || entry.kind === "task_failures").map((entry) => promDuration(entry.windowSeconds)))) {
      expect(exposed).toContain(`window="${window}"`);
    }
  });
});
