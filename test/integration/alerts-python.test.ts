// Alerts end to end on a real cluster: `celeriac dashboard` configured by environment only (a
// rules file with its webhook secret from an environment variable, SMTP, the public URL) ingests
// a Python Celery 5.2 worker on Redis. A task that fails fires the failure-rate rule once: the
// webhook receiver this test runs gets it signed (HMAC verified) and the local SMTP server gets
// the email, both linking to the failed task's page; once the task succeeds again the rate falls
// and the alert resolves once, notified the same two ways.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SIGNATURE_HEADER, verifyWebhook } from "../../src/server/alerts/notifiers/webhook-signature";
import { dashboardClient } from "../server/http/dashboard-client";
import { type DashboardProcess, startDashboardProcess } from "../support/dashboard-process";
import { type PythonWorker, runPython, startPythonWorker } from "../support/python-celery";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis";
import { describeWith, uniqueName } from "../support/services";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";

const queue = uniqueName("alerts");
const apiSwitch = `${queue}-api-up`;
let peer: { brokerUrl: string; backendUrl: string; queue: string };
// A Redis of the test's own: events are pub/sub, and other tests' failing tasks must not count here.
let redisServer: PrivateRedis;
const SECRET = `webhook-secret-${queue}`;
const PUBLIC_URL = "https://celeriac.example.test";
let worker: PythonWorker;
let dashboard: DashboardProcess;
let receiver: WebhookReceiver;
let smtp: SmtpSink;
let dataDir: string;
let redis: Redis;

await describeWith(["redis", "python-celery"], "alerts on a Python Celery cluster (Redis)", () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "celeriac-alerts-"));
    [receiver, smtp] = await Promise.all([startWebhookReceiver(), startSmtpSink()]);
    const rulesFile = join(dataDir, "alerts.yaml");
    await writeFile(
      rulesFile,
      [
        "channels:",
        `  - { name: ops-hook, type: webhook, url: "${receiver.url}/hook", secret: "\${ALERT_HOOK_SECRET}" }`,
        "  - { name: oncall, type: email, recipients: [oncall@example.test] }",
        "rules:",
        "  - name: login API failing",
        "    kind: failure_rate",
        "    selector: seedflow.post_to_*",
        "    windowSeconds: 120",
        "    fireThreshold: 0.5",
        "    resolveThreshold: 0.2",
        "    minCount: 3",
        "    severity: critical",
        "    channels: [ops-hook, oncall]",
      ].join("\n"),
    );
    process.env.PEER_API_SWITCH = apiSwitch;
    redisServer = await startPrivateRedis();
    peer = { brokerUrl: redisServer.url, backendUrl: redisServer.url, queue };
    worker = await startPythonWorker(peer);
    dashboard = await startDashboardProcess(
      {
        CELERY_BROKER_URL: redisServer.url,
        CELERY_RESULT_BACKEND: redisServer.url,
        DATABASE_URL: `pglite:${join(dataDir, "db")}`,
        CELERIAC_QUEUES: queue,
        CELERIAC_ADMIN_USER: "ops",
        CELERIAC_ADMIN_PASSWORD: "alerts test password",
        CELERIAC_ALERT_RULES_FILE: rulesFile,
        CELERIAC_ALERT_INTERVAL_SECONDS: "1",
        CELERIAC_SMTP_URL: smtp.url,
        CELERIAC_SMTP_FROM: "celeriac@example.test",
        CELERIAC_PUBLIC_URL: PUBLIC_URL,
        ALERT_HOOK_SECRET: SECRET,
      },
      ["--no-pages"],
    );
    redis = new Redis(redisServer.url);
  }, 120_000);

  afterAll(async () => {
    await dashboard?.stop();
    await worker?.stop();
    redis?.disconnect();
    await redisServer?.stop();
    await Promise.all([receiver?.close(), smtp?.close()]);
    delete process.env.PEER_API_SWITCH;
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("fires once when the task fails, notifies a signed webhook and an email, then resolves once when it succeeds again", async () => {
    const send = (n: number) => runPython<string[]>(peer, `print(json.dumps([peer.post_to_api.apply_async(([1, 2],)).id for _ in range(${n})]))`);
    const failed = await send(4);

    const [firing] = await receiver.waitFor(1);
    expect(verifyWebhook(SECRET, firing!.body, firing!.headers[SIGNATURE_HEADER] as string)).toBe(true);
    const fired = JSON.parse(firing!.body);
    expect(fired).toMatchObject({ status: "firing", severity: "critical", subject: "seedflow.post_to_api", rule: { name: "login API failing" } });
    expect(fired.message).toMatch(/failure rate of seedflow\.post_to_api over 2 min is \d+ % .*third-party API answered 503/);
    // The link is the page of one of the tasks that failed.
    expect(failed.map((id) => `${PUBLIC_URL}/tasks/${id}`)).toContain(fired.url);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.headers.subject).toContain("[FIRING] critical · login API failing · seedflow.post_to_api");
    expect(mail!.text).toContain(`Open in Celeriac: ${fired.url}`);

    // The API is back: successes bring the rate under the resolve threshold.
    await redis.set(apiSwitch, "1");
    await send(20);
    const [, resolving] = await receiver.waitFor(2);
    expect(verifyWebhook(SECRET, resolving!.body, resolving!.headers[SIGNATURE_HEADER] as string)).toBe(true);
    expect(JSON.parse(resolving!.body)).toMatchObject({ status: "resolved", subject: "seedflow.post_to_api", url: fired.url });
    const [, resolvedMail] = await smtp.waitFor(2);
    expect(resolvedMail!.headers.subject).toContain("[RESOLVED] critical · login API failing");

    // Exactly one firing and one resolution, each delivered to both channels, as the page shows.
    const { client } = dashboardClient(dashboard.baseUrl);
    await client.auth.login.mutate({ name: "ops", password: "alerts test password" });
    // Delivered is recorded just after the receiver answers: wait for the record, not a time.
    const outcome = async () => (await client.alerts.history.query({})).events.map((event) => [event.kind, event.deliveries.map((delivery) => `${delivery.channel}:${delivery.status}`)]);
    await expect.poll(outcome, { timeout: 10_000 }).toEqual([
      ["resolved", ["ops-hook:sent", "oncall:sent"]],
      ["firing", ["ops-hook:sent", "oncall:sent"]],
    ]);
    expect(receiver.requests).toHaveLength(2);
    expect(smtp.mails).toHaveLength(2);
    expect((await client.alerts.settings.query()).rules.map((rule) => [rule.name, rule.source])).toEqual([["login API failing", "file"]]);
  }, 120_000);
});
