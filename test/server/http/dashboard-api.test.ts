// The dashboard's API over real HTTP on the embedded setup (PGlite in memory, in-memory broker,
// demo cluster): login, sessions, throttling, and the history the demo produces.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../../src/server/runtime/runtime";
import { dashboardClient } from "./dashboard-client";
import { type EmbeddedDashboard, startEmbeddedDashboard } from "./embedded-dashboard";

const ADMIN_PASSWORD = "correct horse battery staple";
let dashboard: EmbeddedDashboard;
let runtime: Runtime;
let baseUrl: string;

beforeAll(async () => {
  dashboard = await startEmbeddedDashboard({ name: "root", password: ADMIN_PASSWORD }, [{ name: "vera", role: "viewer", password: "viewer password 1" }]);
  ({ runtime, baseUrl } = dashboard);
});

afterAll(async () => {
  await dashboard?.close();
});

describe("dashboard API", () => {
  it("answers health and metrics without a login", async () => {
    const health = await fetch(`${baseUrl}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", broker: "memory://", store: "memory:" });
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).toContain("celeriac_up 1");
    expect(metrics).toMatch(/celeriac_ingest_events_total\{outcome="received"\} [1-9]/);
  });

  it("refuses history to anonymous callers", async () => {
    const { client } = dashboardClient(baseUrl);
    expect(await client.auth.me.query()).toMatchObject({ user: null, demo: true, readOnly: false });
    await expect(client.history.workers.query()).rejects.toThrow(/Log in/);
  });

  it("logs in with an httpOnly session cookie and a readable CSRF cookie, and logs out", async () => {
    const response = await fetch(`${baseUrl}/api/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { name: "root", password: ADMIN_PASSWORD } }),
    });
    const cookies = response.headers.getSetCookie();
    expect(cookies.find((cookie) => cookie.startsWith("celeriac_session="))).toMatch(/HttpOnly/);
    expect(cookies.find((cookie) => cookie.startsWith("celeriac_csrf="))).not.toMatch(/HttpOnly/);

    const { client } = dashboardClient(baseUrl);
    await client.auth.login.mutate({ name: "root", password: ADMIN_PASSWORD });
    expect((await client.auth.me.query()).user).toMatchObject({ name: "root", role: "admin" });
    await client.auth.logout.mutate();
    expect((await client.auth.me.query()).user).toBeNull();
  });

  it("says nothing about which part of a login was wrong, and throttles guessing", async () => {
    const { client } = dashboardClient(baseUrl);
    await expect(client.auth.login.mutate({ name: "nobody", password: "x" })).rejects.toThrow("Wrong name or password.");
    await expect(client.auth.login.mutate({ name: "vera", password: "wrong" })).rejects.toThrow("Wrong name or password.");
    for (let attempt = 0; attempt < 4; attempt++) await client.auth.login.mutate({ name: "vera", password: "wrong" }).catch(() => {});
    // Even the right password waits now: five failures for this name (and this address).
    await expect(client.auth.login.mutate({ name: "vera", password: "viewer password 1" })).rejects.toThrow(/Too many failed logins/);
    runtime.loginLimit.recordSuccess(["addr:127.0.0.1", "name:vera"]);
  });

  it("shows a logged-in viewer the demo's tasks, workflows and workers", async () => {
    const { client } = dashboardClient(baseUrl);
    await client.auth.login.mutate({ name: "vera", password: "viewer password 1" });
    let page = await client.history.tasks.query({ name: "seedflow.check_device" });
    for (const deadline = Date.now() + 20_000; page.tasks.length === 0 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      page = await client.history.tasks.query({ name: "seedflow.check_device" });
    }
    const root = page.tasks[0];
    expect(root?.id).toBeTruthy();
    const steps = ["seedflow.check_device", "seedflow.notify_user", "seedflow.save_event", "seedflow.post_to_api", "seedflow.post_process"];
    // The root may first be known from the worker's events, which the ingestion writes apart from
    // the publish record that holds the plan: wait for that record, not for the events.
    const nodeNames = async () => new Set((await client.history.workflow.query({ rootId: root?.id as string })).nodes.map((node) => node.name));
    let names = await nodeNames();
    for (const deadline = Date.now() + 20_000; !steps.every((name) => names.has(name)) && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      names = await nodeNames();
    }
    // The captured plan knows every step of the login workflow before it runs.
    for (const name of steps) expect(names).toContain(name);
    // The task came from the publish record; the worker is known from its events, which the
    // ingestion writes on its own schedule.
    const hostnames = async () => (await client.history.workers.query()).map((worker) => worker.hostname);
    let workers = await hostnames();
    for (const deadline = Date.now() + 20_000; !workers.includes("celery@celeriac-demo") && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      workers = await hostnames();
    }
    expect(workers).toContain("celery@celeriac-demo");
    await expect(client.history.task.query({ id: "no-such-task" })).rejects.toThrow(/No task no-such-task/);
  }, 90_000);
});
