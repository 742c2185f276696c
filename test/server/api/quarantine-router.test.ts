// The quarantine over real HTTP on the embedded setup: an event the store cannot hold, published on
// the cluster's broker, is set aside by the running ingestion, listed for a viewer with the reason
// and its secrets redacted, counted on /metrics, and the events after it are stored.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { EventDispatcher } from "../../../src/celery/index";
import { dashboardClient } from "../http/dashboard-client";
import { type EmbeddedDashboard, startEmbeddedDashboard } from "../http/embedded-dashboard";

let dashboard: EmbeddedDashboard;

beforeAll(async () => {
  dashboard = await startEmbeddedDashboard({ name: "root", password: "admin password 12" }, [{ name: "vera", role: "viewer", password: "viewer password 1" }]);
});

afterAll(async () => {
  await dashboard?.close();
});

async function eventually<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it("lists a set-aside event for a viewer with its reason, redacted, counts it on /metrics, and stores what follows", async () => {
  const secret = `s3cret-${randomUUID()}`;
  const worker = new EventDispatcher(dashboard.runtime.app.broker, { hostname: "celery@fuzz" });
  const bad = `bad-${randomUUID()}`;
  const good = `good-${randomUUID()}`;
  await worker.publish("task-received", { uuid: bad, name: "seedflow.add", args: "()", kwargs: "{}", retries: 3e9, ...({ credentials: { password: secret } } as object) });
  await worker.publish("task-received", { uuid: good, name: "seedflow.add", args: "()", kwargs: "{}", retries: 0 });

  const { client } = dashboardClient(dashboard.baseUrl);
  await client.auth.login.mutate({ name: "vera", password: "viewer password 1" });
  const entry = await eventually("the quarantine entry", async () => (await client.quarantine.list.query({ source: "event" })).entries.find((row) => row.payload.includes(bad)));
  expect(entry.reason).toMatch(/a task-received event from celery@fuzz cannot be stored: retries 3000000000 is not a whole number/);
  expect(entry.payload).not.toContain(secret);
  expect(entry.payload).toContain("[redacted]");
  expect((await client.quarantine.list.query({})).totals.event).toBeGreaterThanOrEqual(1);
  await eventually("the good event", async () => ((await client.history.task.query({ id: good })) ? true : undefined));

  const metrics = await (await fetch(`${dashboard.baseUrl}/metrics`)).text();
  expect(metrics).toMatch(/celeriac_ingest_counter\{name="quarantined\.event"\} [1-9]/);
  expect(metrics).toMatch(/celeriac_ingest_events_total\{outcome="quarantined"\} [1-9]/);
  expect(metrics).not.toContain(secret);
});

it("refuses a malformed page cursor with a reason", async () => {
  const { client } = dashboardClient(dashboard.baseUrl);
  await client.auth.login.mutate({ name: "vera", password: "viewer password 1" });
  await expect(client.quarantine.list.query({ before: "abc" })).rejects.toThrow(/numeric id of a quarantine entry/);
});
