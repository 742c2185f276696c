// End to end in a real browser against a running dashboard (production build), real Redis and a
// Python Celery 5.2.6 worker with capture: an operator finds the failed post_to_api step of a
// failed login workflow on its workflow page, fixes the cause, presses Retry and sees the rest of
// the chain run; a viewer cannot retry (the server refuses, not only the button); revoke with
// terminate stops a running task; the overview's chart shows the run. Screenshots of each page go
// to docs/screenshots/.

import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type DashboardProcess, startDashboardProcess } from "../support/dashboard-process";
import { type PythonWorker, runPython, startPythonWorker } from "../support/python-celery";
import { REDIS_URL, describeWith, uniqueName } from "../support/services";
import { launchBrowser, logInThroughForm, screenshot } from "./browser";

const queue = uniqueName("e2e");
const apiSwitch = `${queue}-api-up`;
const peer = { brokerUrl: REDIS_URL, backendUrl: REDIS_URL, queue };
const ADMIN = { name: "ops", password: "e2e operator password" };
const VIEWER = { name: "vera", password: "e2e viewer password" };
let worker: PythonWorker;
let dashboard: DashboardProcess;
let browser: Browser;
let dataDir: string;
const redis = new Redis(REDIS_URL, { lazyConnect: true });

async function waitForText(page: Page, text: string | RegExp, timeout = 30_000): Promise<void> {
  await page.getByText(text).first().waitFor({ timeout });
}

await describeWith(["redis", "python-celery", "chromium"], "operators in the browser (Redis, Python Celery)", () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "celeriac-e2e-"));
    process.env.CAPTURE_QUEUE = `${queue}.capture`;
    process.env.PEER_API_SWITCH = apiSwitch;
    worker = await startPythonWorker({ ...peer, appModule: "capture_peer" });
    const env = {
      CELERY_BROKER_URL: REDIS_URL,
      CELERY_RESULT_BACKEND: REDIS_URL,
      DATABASE_URL: `pglite:${join(dataDir, "db")}`,
      CELERIAC_CAPTURE_QUEUE: `${queue}.capture`,
      CELERIAC_QUEUES: queue,
    };
    // Accounts made with the CLI before the first start, as an admin setting up would.
    for (const [user, role] of [[ADMIN, "admin"], [VIEWER, "viewer"]] as const) {
      await new Promise<void>((resolve, reject) => {
        const child = execFile(process.execPath, ["bin/celeriac.js", "users", "add", user.name, "--role", role, "--password-stdin"], { env: { ...process.env, ...env } }, (error) => (error ? reject(error) : resolve()));
        child.stdin?.end(`${user.password}\n`);
      });
    }
    // The first start builds the pages if this checkout has no build yet.
    dashboard = await startDashboardProcess(env, [], { readyTimeoutMs: 400_000 });
    browser = await launchBrowser();
  }, 480_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    await worker?.stop();
    await redis.del(apiSwitch).catch(() => {});
    redis.disconnect();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("retries the failed post_to_api step after the cause is fixed, and the rest of the chain runs", async () => {
    const sent = await runPython<{ root: string; last: string }>(
      peer,
      `r = peer.login_workflow("u42", "pixel-e2e").apply_async()\nroot = r\nwhile root.parent is not None:\n    root = root.parent\nprint(json.dumps({"root": root.id, "last": r.id}))`,
    );
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await logInThroughForm(page, dashboard.baseUrl, ADMIN.name, ADMIN.password);
    await screenshot(page, "overview");

    // Find the failed step through the task list, as an operator would.
    await page.goto(`${dashboard.baseUrl}/tasks?name=seedflow.post_to_api&state=FAILURE`);
    await waitForText(page, /post_to_api/);
    await screenshot(page, "tasks");

    await page.goto(`${dashboard.baseUrl}/workflows/${sent.root}`);
    const failedStep = page.locator("button.node", { hasText: "post_to_api" });
    await failedStep.filter({ hasText: "failure" }).waitFor({ timeout: 30_000 });
    await expect(page.locator("button.node", { hasText: "post_process" }).first().textContent()).resolves.toMatch(/planned/);
    await screenshot(page, "workflow-failed");

    // Fix the cause (the third-party API is back), then Retry from the step's panel.
    await redis.connect().catch(() => {});
    await redis.set(apiSwitch, "1");
    await failedStep.first().click();
    await page.getByRole("button", { name: "Retry", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(/seedflow\.post_to_api/).first().waitFor();
    await screenshot(page, "retry-preview");
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await dialog.getByText(/Done\./).waitFor({ timeout: 15_000 });
    await dialog.getByRole("button", { name: "Close" }).click();

    // The chain resumes: post_to_api, then post_process succeed.
    await page.locator("button.node", { hasText: "post_process" }).filter({ hasText: "success" }).waitFor({ timeout: 45_000 });
    // post_to_api applies post_process before it stores and announces its own SUCCESS: its
    // success can reach the page after post_process's.
    await expect.poll(() => page.locator("button.node", { hasText: "post_to_api" }).first().textContent(), { timeout: 30_000, interval: 250 }).toMatch(/success/);
    await screenshot(page, "workflow-retried");

    await page.goto(`${dashboard.baseUrl}/tasks/${sent.last}`);
    // The result as the event's repr until reconciliation reads the backend's JSON.
    await waitForText(page, /'done': True|"done": true/);
    await screenshot(page, "task");
    await page.close();
  }, 120_000);

  it("lets a viewer look but not retry: the button is disabled and the server refuses the call", async () => {
    const failed = await runPython<string>(peer, `print(json.dumps(peer.fail.apply_async(("for the viewer",)).id))`);
    const page = await browser.newPage();
    await logInThroughForm(page, dashboard.baseUrl, VIEWER.name, VIEWER.password);
    await page.goto(`${dashboard.baseUrl}/tasks/${failed}`);
    await waitForText(page, /for the viewer/);
    await expect(page.getByRole("button", { name: "Retry", exact: true }).isDisabled()).resolves.toBe(true);
    // Past the UI: the same call the button would make, with the viewer's own session and CSRF token.
    const status = await page.evaluate(async (taskId) => {
      const csrf = decodeURIComponent(document.cookie.split("; ").find((c) => c.startsWith("celeriac_csrf="))?.split("=")[1] ?? "");
      const response = await fetch("/api/trpc/actions.retry", {
        method: "POST",
        headers: { "content-type": "application/json", "x-celeriac-csrf": csrf },
        body: JSON.stringify({ json: { taskId, idempotencyKey: crypto.randomUUID() } }),
      });
      return { status: response.status, body: await response.text() };
    }, failed);
    expect(status.status).toBe(403);
    expect(status.body).toContain("operator");
    await page.close();
  }, 60_000);

  it("revokes a running task with terminate and shows it REVOKED", async () => {
    const id = await runPython<string>(peer, `print(json.dumps(peer.sleeper.apply_async((60,)).id))`);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await logInThroughForm(page, dashboard.baseUrl, ADMIN.name, ADMIN.password);
    await page.goto(`${dashboard.baseUrl}/tasks/${id}`);
    await page.locator(".badge", { hasText: "STARTED" }).first().waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Revoke", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(/terminate if running/).check();
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await dialog.getByText(/Done\./).waitFor({ timeout: 15_000 });
    await dialog.getByRole("button", { name: "Close" }).click();
    await page.locator(".badge", { hasText: "REVOKED" }).first().waitFor({ timeout: 30_000 });
    // The badge shows what the dashboard recorded at once; the worker writes REVOKED to the
    // backend when it handles the broadcast, which the dashboard only waits a second for.
    const meta = await runPython<{ status: string }>(
      peer,
      `import time\ndeadline = time.monotonic() + 20\nwhile True:\n    status = app.backend.get_task_meta(${JSON.stringify(id)})["status"]\n    if status == "REVOKED" or time.monotonic() > deadline:\n        break\n    time.sleep(0.1)\nprint(json.dumps({"status": status}))`,
    );
    expect(meta.status).toBe("REVOKED");
    await page.close();
  }, 90_000);

  it("shows the run on the overview's throughput chart, and every page renders", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await logInThroughForm(page, dashboard.baseUrl, ADMIN.name, ADMIN.password);
    await page.goto(`${dashboard.baseUrl}/?range=15m`);
    // Bars are drawn only for minutes with finished tasks.
    await page.locator(".recharts-bar-rectangle path, .recharts-bar-rectangle rect").first().waitFor({ timeout: 30_000 });
    await screenshot(page, "overview");
    for (const [path, name, text] of [
      ["/workers", "workers", worker.hostname],
      ["/queues", "queues", queue],
      ["/send", "send", /Send/],
      ["/audit", "audit", /task\.retry|actions?\.retry|retry/i],
    ] as const) {
      await page.goto(`${dashboard.baseUrl}${path}`);
      await waitForText(page, text);
      await screenshot(page, name);
    }
    await page.close();
    // The login page, as a logged-out visitor sees it.
    const visitor = await browser.newPage();
    await visitor.goto(`${dashboard.baseUrl}/login`);
    await waitForText(visitor, /Log in to Celeriac/);
    await screenshot(visitor, "login");
    await visitor.close();
  }, 90_000);
});
