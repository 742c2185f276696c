// The demo switch and the audit log over real HTTP on the embedded setup: operators flip the
// third-party API, viewers may only look, every flip is audited once per idempotency key, and the
// audit page's list pages and filters.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../../src/server/runtime/runtime";
import { dashboardClient } from "../http/dashboard-client";
import { type EmbeddedDashboard, startEmbeddedDashboard } from "../http/embedded-dashboard";

let dashboard: EmbeddedDashboard;
let runtime: Runtime;
let baseUrl: string;

async function loggedIn(name: string, password: string) {
  const { client } = dashboardClient(baseUrl);
  await client.auth.login.mutate({ name, password });
  return client;
}

beforeAll(async () => {
  dashboard = await startEmbeddedDashboard({ name: "root", password: "admin password 12" }, [
    { name: "olga", role: "operator", password: "operator password" },
    { name: "vera", role: "viewer", password: "viewer password 1" },
  ]);
  ({ runtime, baseUrl } = dashboard);
});

afterAll(async () => {
  await dashboard?.close();
});

describe("demo router", () => {
  it("lets an operator fix and break the demo API, once per idempotency key, and viewers only look", async () => {
    const operator = await loggedIn("olga", "operator password");
    const viewer = await loggedIn("vera", "viewer password 1");
    expect(await viewer.demo.state.query()).toEqual({ enabled: true, apiFixed: false });
    await expect(viewer.demo.setApiFixed.mutate({ fixed: true, idempotencyKey: randomUUID() })).rejects.toThrow(/needs the operator role/);

    const key = randomUUID();
    const fixed = await operator.demo.setApiFixed.mutate({ fixed: true, reason: "show the recovery", idempotencyKey: key });
    expect(fixed).toMatchObject({ result: { apiFixed: true }, duplicate: false });
    expect(runtime.demo?.switches.apiFixed).toBe(true);
    // A double submission does not act again, even after someone else changed the switch.
    runtime.demo!.switches.apiFixed = false;
    expect(await operator.demo.setApiFixed.mutate({ fixed: true, idempotencyKey: key })).toMatchObject({ duplicate: true, auditId: fixed.auditId });
    expect(runtime.demo?.switches.apiFixed).toBe(false);

    const entries = (await viewer.audit.list.query({ action: "demo." })).entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: "olga", role: "operator", action: "demo.setApiFixed", target: "seedflow.post_to_api", reason: "show the recovery", outcome: "ok", result: { apiFixed: true }, idempotencyKey: key });
  });
});

describe("audit router", () => {
  it("pages newest first by the last id and filters by actor", async () => {
    const admin = await loggedIn("root", "admin password 12");
    for (const fixed of [true, false, true]) await admin.demo.setApiFixed.mutate({ fixed, idempotencyKey: randomUUID() });
    const first = await admin.audit.list.query({ actor: "root", limit: 2 });
    expect(first.entries.map((entry) => entry.input)).toEqual([{ fixed: true }, { fixed: false }]);
    expect(first.entries[0]?.at).toBeInstanceOf(Date);
    expect(first.nextBefore).toBe(first.entries[1]?.id);
    const second = await admin.audit.list.query({ actor: "root", limit: 2, before: first.nextBefore! });
    expect(second.entries.map((entry) => entry.input)).toEqual([{ fixed: true }]);
    expect(second.nextBefore).toBeNull();
    await expect(admin.audit.list.query({ before: "latest" })).rejects.toThrow(/numeric id/);
    const { client: anonymous } = dashboardClient(baseUrl);
    await expect(anonymous.audit.list.query({})).rejects.toThrow(/Log in/);
  });
});
