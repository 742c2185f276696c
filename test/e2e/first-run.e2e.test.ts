// The README's first run, as a new user does it: a clean checkout, `npm ci`, `npm start`; then in
// headless Chromium, log in with the credentials it printed and see a completed demo workflow
// tree and a non-empty throughput chart.

import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type DashboardProcess, startDashboardProcess } from "../support/dashboard-process";
import { describeWith } from "../support/services";
import { launchBrowser, logInThroughForm, screenshot } from "./browser";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);
let checkout: string;
let dashboard: DashboardProcess;
let browser: Browser;

await describeWith(["chromium"], "first run from a clean checkout (npm ci, npm start)", () => {
  beforeAll(async () => {
    checkout = await mkdtemp(join(tmpdir(), "celeriac-first-run-"));
    // What is committed, nothing else: a new user's clone.
    await run("git", ["clone", "--quiet", ROOT, checkout]);
    await run("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: checkout, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
    dashboard = await startDashboardProcess({}, [], { cwd: checkout, command: ["npm", "start"], readyTimeoutMs: 400_000 });
    browser = await launchBrowser();
  }, 720_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    if (checkout) await rm(checkout, { recursive: true, force: true });
  });

  it("prints the first admin's password once, and the demo's completed workflow and chart are there after login", async () => {
    const printed = /Log in as:\s+(\S+)\s+Password:\s+(\S+)/.exec(dashboard.output());
    expect(printed, dashboard.output()).not.toBeNull();
    const [, name, password] = printed as unknown as [string, string, string];
    expect(password.length).toBeGreaterThanOrEqual(20);

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await logInThroughForm(page, dashboard.baseUrl, name, password);
    await page.getByText(/demo/i).first().waitFor();
    await page.locator(".recharts-bar-rectangle path, .recharts-bar-rectangle rect").first().waitFor({ timeout: 90_000 });
    await screenshot(page, "first-run-overview");

    // A demo pipeline (add → group of adds → tsum) that has completed, through the task list.
    await page.goto(`${dashboard.baseUrl}/tasks?name=seedflow.tsum&state=SUCCESS`);
    const workflowLink = page.locator('a[title^="workflow "]').first();
    await workflowLink.waitFor({ timeout: 60_000 });
    await workflowLink.click();
    await page.waitForURL(/\/workflows\//);
    const nodes = page.locator("button.node");
    await nodes.filter({ hasText: "tsum" }).filter({ hasText: "success" }).first().waitFor({ timeout: 30_000 });
    const states = await nodes.allTextContents();
    expect(states.length).toBeGreaterThanOrEqual(4);
    expect(states.every((text) => text.includes("success"))).toBe(true);
    await screenshot(page, "first-run-workflow");

    // The demo's failing login workflow: fix the third-party API on the demo page, then Retry the
    // failed post_to_api step from its workflow page and watch the rest of the chain run.
    await page.goto(`${dashboard.baseUrl}/demo`);
    await page.getByRole("button", { name: "Fix the API" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Confirm" }).click();
    await page.getByRole("dialog").getByText(/Done\./).waitFor({ timeout: 15_000 });
    await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
    await screenshot(page, "demo");
    await page.goto(`${dashboard.baseUrl}/tasks?name=seedflow.post_to_api&state=FAILURE`);
    await page.locator('a[title^="workflow "]').first().click();
    await page.waitForURL(/\/workflows\//);
    await page.locator("button.node", { hasText: "post_to_api" }).first().click();
    await page.getByRole("button", { name: "Retry", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Confirm" }).click();
    await page.getByRole("dialog").getByText(/Done\./).waitFor({ timeout: 15_000 });
    await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
    await page.locator("button.node", { hasText: "post_process" }).filter({ hasText: "success" }).waitFor({ timeout: 30_000 });
    await screenshot(page, "first-run-retried");
    await page.close();
  }, 240_000);
});
