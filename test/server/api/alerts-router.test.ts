// The alerts API over real HTTP on the embedded dashboard: admins edit rules and channels,
// operators acknowledge and silence, viewers only read (refused by the server, whatever the UI
// shows); channel credentials never appear in any response or in the audit log; rules from the
// file cannot be edited; every change is audited; fuzzed inputs are refused with a reason, never
// a server error.

import { afterAll, beforeAll, expect, it } from "vitest";
import { alertRuleInput } from "../../../src/server/alerts/alert-rule";
import { CounterHistory } from "../../../src/server/alerts/counter-history";
import { evaluateAlerts } from "../../../src/server/alerts/evaluate-alerts";
import { redactPattern } from "../../../src/server/services/redact";
import { alertStore } from "../../../src/server/store/index";
import { dashboardClient } from "../http/dashboard-client";
import { type EmbeddedDashboard, startEmbeddedDashboard } from "../http/embedded-dashboard";

const SECRET = "hmac-secret-that-must-stay-home";
const SLACK_TOKEN = "T000/B000/XXXXsecretpath";
let dashboard: EmbeddedDashboard;

const users = [
  { name: "vera", role: "viewer" as const, password: "viewer password 1" },
  { name: "otto", role: "operator" as const, password: "operator password" },
];

async function as(name: string, password: string) {
  const { client } = dashboardClient(dashboard.baseUrl);
  await client.auth.login.mutate({ name, password });
  return client;
}

const key = () => crypto.randomUUID();
const RULE = { name: "payments failing", kind: "failure_rate" as const, selector: "pay.*", windowSeconds: 300, fireThreshold: 0.5, resolveThreshold: 0.1, channels: ["ops-hook", "chat"] };

beforeAll(async () => {
  dashboard = await startEmbeddedDashboard({ name: "root", password: "admin password 12" }, users);
});
afterAll(async () => {
  await dashboard?.close();
});

it("lets an admin create channels and a rule; nobody ever reads a channel's secret or URL path back, not even in the audit log", async () => {
  const admin = await as("root", "admin password 12");
  await admin.alerts.saveChannel.mutate({ channel: { name: "ops-hook", type: "webhook", url: "https://hooks.example.com/celeriac?token=abc123", secret: SECRET }, idempotencyKey: key() });
  await admin.alerts.saveChannel.mutate({ channel: { name: "chat", type: "slack", url: `https://hooks.slack.com/services/${SLACK_TOKEN}` }, idempotencyKey: key() });
  // Saved again without a secret (the page never has it): the stored secret stays.
  await admin.alerts.saveChannel.mutate({ channel: { name: "ops-hook", type: "webhook", url: "https://hooks.example.com/celeriac?token=abc123" }, idempotencyKey: key() });
  const created = await admin.alerts.saveRule.mutate({ rule: RULE, idempotencyKey: key() });
  expect(created.result).toMatchObject({ name: "payments failing", source: "store", updatedBy: "root" });

  const viewer = await as("vera", "viewer password 1");
  const settings = await viewer.alerts.settings.query();
  expect(settings.channels).toEqual([
    expect.objectContaining({ name: "chat", type: "slack", destination: "https://hooks.slack.com/…", hasSecret: false }),
    expect.objectContaining({ name: "ops-hook", type: "webhook", destination: "https://hooks.example.com/…", hasSecret: true }),
  ]);
  const everything = JSON.stringify([settings, await viewer.alerts.current.query(), await viewer.audit.list.query({})]);
  for (const secret of [SECRET, SLACK_TOKEN, "abc123"]) expect(everything).not.toContain(secret);
  const audit = await viewer.audit.list.query({ action: "alert-" });
  expect(audit.entries.map((entry) => entry.action)).toEqual(["alert-rule.create", "alert-channel.save", "alert-channel.save", "alert-channel.save"]);
  expect((await alertStore(dashboard.runtime.store).listChannels()).find((channel) => channel.name === "ops-hook")?.secret).toBe(SECRET);
});

it("refuses rule edits to operators and viewers, and acknowledgements and silences to viewers, on the server", async () => {
  const viewer = await as("vera", "viewer password 1");
  const operator = await as("otto", "operator password");
  await expect(operator.alerts.saveRule.mutate({ rule: { ...RULE, name: "mine" }, idempotencyKey: key() })).rejects.toThrow(/needs the admin role; you are operator/);
  await expect(viewer.alerts.deleteChannel.mutate({ name: "chat", idempotencyKey: key() })).rejects.toThrow(/needs the admin role/);
  await expect(viewer.alerts.silence.mutate({ durationSeconds: 600, idempotencyKey: key() })).rejects.toThrow(/needs the operator role; you are viewer/);
  await expect(viewer.alerts.acknowledge.mutate({ ruleId: "x", subject: "y", idempotencyKey: key() })).rejects.toThrow(/needs the operator role/);
});

it("lets an operator acknowledge a firing alert and silence it; both show on the page and in the audit log", async () => {
  const { store } = dashboard.runtime;
  const alerts = alertStore(store);
  const rule = (await alerts.listRules()).find((candidate) => candidate.name === "payments failing")!;
  const now = Date.now() / 1000;
  await store.applyBatch({ tasks: [1, 2].map((n) => ({ id: `router-fail-${n}`, source: "event" as const, name: "pay.charge", state: "FAILURE", stateAt: now, finishedAt: now })), workers: [], groups: [], edges: [] });
  await evaluateAlerts({ store, alerts, counters: new CounterHistory(), redactKeys: redactPattern(), now });

  const operator = await as("otto", "operator password");
  const [open] = (await operator.alerts.current.query()).open;
  expect(open).toMatchObject({ ruleName: "payments failing", subject: "pay.charge", status: "firing", acknowledgedBy: null, silencedBy: null });
  await operator.alerts.acknowledge.mutate({ ruleId: rule.id, subject: "pay.charge", note: "on it", idempotencyKey: key() });
  const silence = await operator.alerts.silence.mutate({ ruleId: rule.id, subject: "pay.*", durationSeconds: 3600, reason: "deploy", idempotencyKey: key() });
  const [after] = (await operator.alerts.current.query()).open;
  expect(after).toMatchObject({ acknowledgedBy: "otto", acknowledgeNote: "on it", silencedBy: silence.result.id });
  await expect(operator.alerts.acknowledge.mutate({ ruleId: rule.id, subject: "not.firing", idempotencyKey: key() })).rejects.toThrow(/not firing any more/);

  await operator.alerts.expireSilence.mutate({ id: silence.result.id, idempotencyKey: key() });
  const silences = await operator.alerts.silences.query();
  expect(silences.find((row) => row.id === silence.result.id)).toMatchObject({ expiredBy: "otto", createdBy: "otto", reason: "deploy" });
  // The refused acknowledgement is audited too, with its reason.
  expect((await operator.audit.list.query({ action: "alert." })).entries.map((entry) => [entry.action, entry.outcome])).toEqual([
    ["alert.expire-silence", "ok"],
    ["alert.acknowledge", "error"],
    ["alert.silence", "ok"],
    ["alert.acknowledge", "ok"],
  ]);
  const history = await operator.alerts.history.query({});
  expect(history.events.map((event) => [event.kind, event.actor])).toEqual([
    ["acknowledged", "otto"],
    ["firing", null],
  ]);
});

it("keeps rules from the rules file read-only, and says why a rule is refused", async () => {
  const admin = await as("root", "admin password 12");
  await alertStore(dashboard.runtime.store).replaceFileRules([alertRuleInput.parse({ name: "from the file", kind: "queue_depth", windowSeconds: 300, fireThreshold: 10, resolveThreshold: 5 })]);
  const fileRule = (await admin.alerts.settings.query()).rules.find((rule) => rule.name === "from the file")!;
  expect(fileRule.source).toBe("file");
  await expect(admin.alerts.saveRule.mutate({ id: fileRule.id, rule: { ...RULE, name: "from the file" }, idempotencyKey: key() })).rejects.toThrow(/comes from the rules file/);
  await expect(admin.alerts.deleteRule.mutate({ id: fileRule.id, idempotencyKey: key() })).rejects.toThrow(/comes from the rules file/);
  await expect(admin.alerts.saveRule.mutate({ rule: { ...RULE, resolveThreshold: 0.9 }, idempotencyKey: key() })).rejects.toThrow(/must not be above fireThreshold/);
  await expect(admin.alerts.saveRule.mutate({ rule: RULE, idempotencyKey: key() })).rejects.toThrow(/exists already/);
  await expect(admin.alerts.saveRule.mutate({ rule: { ...RULE, name: "x", selector: "a||b" }, idempotencyKey: key() })).rejects.toThrow(/empty alternative/);
  expect(await admin.alerts.prometheusRules.query()).toContain("alert: payments failing");
});

it("answers fuzzed rule and channel inputs with a validation error or a saved rule, never a server error", async () => {
  const admin = await as("root", "admin password 12");
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const junk = [null, -1, 0, 1e308, Number.NaN, "", " ", "*", "x".repeat(5000), "\u0000", "ü🙂", [], {}, true, "a|", "(", "../../etc"];
  const pick = <T,>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const fields = Object.keys(RULE).concat(["forSeconds", "resolveForSeconds", "minCount", "severity", "environment", "enabled", "description", "extra"]);
  for (let i = 0; i < 150; i++) {
    const rule: Record<string, unknown> = { ...RULE, name: `fuzz ${i}` };
    for (let j = 0; j < 1 + Math.floor(random() * 3); j++) rule[pick(fields)] = pick(junk);
    const channel = { name: pick(["ok", ...junk]), type: pick(["webhook", "slack", "email", "sms", ...junk]), url: pick(["https://x.example/", "ftp://x", ...junk]), secret: pick(["s".repeat(20), ...junk]), recipients: pick([["a@b.example"], ...junk]) };
    for (const call of [() => admin.alerts.saveRule.mutate({ rule: rule as never, idempotencyKey: key() }), () => admin.alerts.saveChannel.mutate({ channel: channel as never, idempotencyKey: key() })]) {
      const outcome = await call().then(
        () => "saved",
        (error: { data?: { httpStatus?: number }; message: string }) => error.data?.httpStatus ?? error.message,
      );
      expect([`saved`, 400, 409]).toContain(outcome);
    }
  }
});
