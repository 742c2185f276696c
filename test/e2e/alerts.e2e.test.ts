// End to end in Chromium against a running dashboard (production build), real Redis and a Python
// Celery 5.2.6 worker: an admin adds a webhook channel and an alert rule on the alerts page, a
// Python task fails, the alert shows firing on the alerts page and on the overview, its link
// opens the failed task, and the history shows the delivery to the receiver this test runs.
// Screenshots go to docs/screenshots/.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SIGNATURE_HEADER, verifyWebhook } from "../../src/server/alerts/notifiers/webhook-signature";
import { type DashboardProcess, startDashboardProcess } from "../support/dashboard-process";
import { type PythonWorker, runPython, startPythonWorker } from "../support/python-celery";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis";
import { describeWith, uniqueName } from "../support/services";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";
import { launchBrowser, logInThroughForm, screenshot } from "./browser";

const queue = uniqueName("e2e-alerts");
let peer: { brokerUrl: string; backendUrl: string; queue: string };
// A Redis of the test's own: events are pub/sub, and other tests' failing tasks must not count here.
let redisServer: PrivateRedis;
const ADMIN = { name: "ops", password: "e2e alerts password" };
const SECRET = "an e2e signing secret";
let worker: PythonWorker;
let dashboard: DashboardProcess;
let receiver: WebhookReceiver;
let browser: Browser;
let dataDir: string;

await describeWith(["redis", "python-celery", "chromium"], "alerts in the browser (Redis, Python Celery)", () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "celeriac-e2e-alerts-"));
    receiver = await startWebhookReceiver();
    redisServer = await startPrivateRedis();
    peer = { brokerUrl: redisServer.url, backendUrl: redisServer.url, queue };
    worker = await startPythonWorker(peer);
    dashboard = await startDashboardProcess(
      {
        CELERY_BROKER_URL: redisServer.url,
        CELERY_RESULT_BACKEND: redisServer.url,
        DATABASE_URL: `pglite:${join(dataDir, "db")}`,
        CELERIAC_QUEUES: queue,
        CELERIAC_ADMIN_USER: ADMIN.name,
        CELERIAC_ADMIN_PASSWORD: ADMIN.password,
        CELERIAC_ALERT_INTERVAL_SECONDS: "1",
      },
      [],
      { readyTimeoutMs: 400_000 },
    );
    browser = await launchBrowser();
  }, 480_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    await worker?.stop();
    await redisServer?.stop();
    await receiver?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("creates a rule on the admin page, sees it fire on the alerts page and the overview, and opens the failed task from it", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await logInThroughForm(page, dashboard.baseUrl, ADMIN.name, ADMIN.password);

    await page.goto(`${dashboard.baseUrl}/alerts?tab=rules`);
    await page.getByRole("button", { name: "New channel" }).click();
    const channelForm = page.getByRole("form", { name: "notification channel" });
    await channelForm.getByLabel(/^name/).fill("ops-hook");
    await channelForm.getByLabel(/^URL/).fill(`${receiver.url}/hook`);
    await channelForm.getByLabel(/signing secret/).fill(SECRET);
    await channelForm.getByRole("button", { name: "Save channel" }).click();
    await page.locator("td", { hasText: /^ops-hook/ }).first().waitFor();

    await page.getByRole("button", { name: "New rule" }).click();
    const ruleForm = page.getByRole("form", { name: "alert rule" });
    await ruleForm.getByLabel(/^kind/).selectOption({ label: "Task failing N times" });
    await ruleForm.getByLabel(/^name/).fill("e2e fail task");
    await ruleForm.getByLabel(/^task name/).fill("seedflow.fail");
    await ruleForm.getByLabel(/^fire at/).fill("2");
    await ruleForm.getByLabel(/^severity/).selectOption("critical");
    await expect(ruleForm.getByLabel(/ops-hook/).isChecked()).resolves.toBe(true);
    await screenshot(page, "alerts-rule-editor");
    await ruleForm.getByRole("button", { name: "Save rule" }).click();
    await page.getByText("e2e fail task").first().waitFor();
    await screenshot(page, "alerts-rules");

    const failed = await runPython<string[]>(peer, `print(json.dumps([peer.fail.apply_async(("card declined",)).id for _ in range(3)]))`);

    await page.goto(`${dashboard.baseUrl}/alerts`);
    const row = page.locator("table.alerts tr", { hasText: "e2e fail task" });
    await row.locator(".badge", { hasText: "firing" }).waitFor({ timeout: 60_000 });
    await expect(row.textContent()).resolves.toContain("seedflow.fail");
    await screenshot(page, "alerts-firing");

    const [delivered] = await receiver.waitFor(1);
    expect(verifyWebhook(SECRET, delivered!.body, delivered!.headers[SIGNATURE_HEADER] as string)).toBe(true);

    await page.goto(`${dashboard.baseUrl}/`);
    const strip = page.locator("section.firing-alerts");
    await strip.getByText("e2e fail task").waitFor({ timeout: 30_000 });
    await screenshot(page, "alerts-overview");
    await strip.getByRole("link", { name: "seedflow.fail" }).click();
    await page.waitForURL(/\/tasks\/[^/?]+$/);
    expect(failed).toContain(decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!));
    await page.getByText("card declined").first().waitFor({ timeout: 30_000 });

    await page.goto(`${dashboard.baseUrl}/alerts?tab=history`);
    await page.locator("table.alert-events .badge", { hasText: "sent" }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, "alerts-history");
    await page.close();
  }, 180_000);
});
