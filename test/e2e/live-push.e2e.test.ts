// Live push in a real browser: once the tab has its server-sent-events stream, the task list stops
// polling (no request while nothing changes) and a task that happens on the cluster appears within
// seconds, pushed. The dashboard runs on a Redis server of the test's own, so no other test's
// events change its store.

import { randomUUID } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createBroker, EventDispatcher } from "../../src/celery/index";
import { type DashboardProcess, startDashboardProcess } from "../support/dashboard-process";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis";
import { describeWith } from "../support/services";
import { launchBrowser, logInThroughForm } from "./browser";

const ADMIN = { name: "ops", password: "live push e2e password" };
let redis: PrivateRedis;
let dashboard: DashboardProcess;
let browser: Browser;

await describeWith(["chromium"], "live push in the browser", () => {
  beforeAll(async () => {
    redis = await startPrivateRedis();
    dashboard = await startDashboardProcess(
      { CELERY_BROKER_URL: redis.url, CELERY_RESULT_BACKEND: redis.url, DATABASE_URL: "memory:", CELERIAC_ADMIN_USER: ADMIN.name, CELERIAC_ADMIN_PASSWORD: ADMIN.password },
      [],
      { readyTimeoutMs: 400_000 },
    );
    browser = await launchBrowser();
  }, 480_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    await redis?.stop();
  });

  it("shows a new task on the task list within seconds without polling for it", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await logInThroughForm(page, dashboard.baseUrl, ADMIN.name, ADMIN.password);
    const stream = page.waitForRequest((request) => request.url().includes("/api/trpc/live.changes"), { timeout: 30_000 });
    await page.goto(`${dashboard.baseUrl}/tasks`);
    await stream;
    // Let the stream's first mark arrive and the page settle, then count its list requests.
    await page.waitForTimeout(3_000);
    let listRequests = 0;
    page.on("request", (request) => {
      if (request.url().includes("history.tasks")) listRequests += 1;
    });
    await page.waitForTimeout(6_000);
    expect(listRequests).toBe(0);

    const producer = createBroker(redis.url);
    await producer.connect();
    const uuid = randomUUID();
    const worker = new EventDispatcher(producer, { hostname: "celery@push" });
    await worker.publish("task-received", { uuid, name: "seedflow.pushed", args: "(1,)", kwargs: "{}", retries: 0, root_id: uuid, parent_id: null, eta: null, expires: null });
    await worker.close();
    await producer.close();
    await page.getByText("seedflow.pushed").first().waitFor({ timeout: 8_000 });
    expect(listRequests).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
