// Notifications reach real receivers the test runs: a signed JSON webhook (the signature verifies
// with the channel's secret and fails with another), a Slack-compatible payload and an email
// through a local SMTP server, each linking to the dashboard under the public URL. A receiver that
// fails or is down gets the retries on the back-off schedule, each recorded with its reason, until
// it answers or the attempts run out.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { retryDelay, type RetryPolicy, deliverNotifications } from "../../../src/server/alerts/deliver-notifications";
import { SIGNATURE_HEADER, verifyWebhook } from "../../../src/server/alerts/notifiers/webhook-signature";
import { createLogger } from "../../../src/server/runtime/logger";
import { redactPattern } from "../../../src/server/services/redact";
import { type AlertStore, alertStore, openStore, type Store } from "../../../src/server/store/index";
import { freePort } from "../../support/dashboard-process";
import { type SmtpSink, startSmtpSink } from "../../support/smtp-sink";
import { startWebhookReceiver, type WebhookReceiver } from "../../support/webhook-receiver";

const SECRET = "a webhook secret of some length";
const PUBLIC_URL = "https://celeriac.example.com/";
const POLICY: RetryPolicy = { attempts: 3, firstDelaySeconds: 10, factor: 3, maxDelaySeconds: 1800 };
const T0 = Math.floor(Date.now() / 1000);

let store: Store;
let alerts: AlertStore;
let receiver: WebhookReceiver;
let smtp: SmtpSink;
let serial = 0;

/** Records one firing event of a fresh rule name notifying `channels`; returns the rule's name. */
async function fire(channels: { name: string; type: string }[], at = T0): Promise<string> {
  const ruleName = `rule-${serial++}`;
  await alerts.saveEvaluation({
    upserts: [],
    deletes: [],
    events: [{ at, ruleId: ruleName, ruleName, subject: "pay.charge", severity: "critical", kind: "firing", value: 0.5, message: "failure rate of pay.charge over 5 min is 50 % (fires at 20 %)", link: "/tasks/abc-123", channels }],
  });
  return ruleName;
}

async function deliveriesOf(ruleName: string) {
  const [event] = await alerts.listEvents({ limit: 1, ruleId: ruleName });
  return event!.deliveries;
}

const deliver = (now: number, smtpUrl: string | null = smtp.url) =>
  deliverNotifications({ alerts, publicUrl: PUBLIC_URL, smtp: smtpUrl ? { url: smtpUrl, from: "alerts@celeriac.test" } : null, redactKeys: redactPattern(), log: createLogger("silent"), retry: POLICY, timeoutMs: 5000, now });

describe("alert notifications", () => {
  beforeAll(async () => {
    [store, receiver, smtp] = await Promise.all([openStore("memory:"), startWebhookReceiver(), startSmtpSink()]);
    alerts = alertStore(store);
    await alerts.saveChannel({ name: "hook", type: "webhook", url: `${receiver.url}/celeriac`, secret: SECRET }, "test");
    await alerts.saveChannel({ name: "chat", type: "slack", url: `${receiver.url}/slack` }, "test");
    await alerts.saveChannel({ name: "mail", type: "email", recipients: ["oncall@example.com", "lead@example.com"] }, "test");
  });
  afterAll(async () => {
    await Promise.all([store?.close(), receiver?.close(), smtp?.close()]);
  });

  it("posts a signed JSON webhook, a Slack payload and an email, each linking to the dashboard page, and records them sent", async () => {
    const rule = await fire([
      { name: "hook", type: "webhook" },
      { name: "chat", type: "slack" },
      { name: "mail", type: "email" },
    ]);
    expect(await deliver(T0)).toEqual({ sent: 3, retrying: 0, failed: 0 });

    const [first, second] = await receiver.waitFor(2);
    const hook = [first!, second!].find((request) => request.path === "/celeriac")!;
    const slack = [first!, second!].find((request) => request.path === "/slack")!;
    const signature = hook.headers[SIGNATURE_HEADER] as string;
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(SECRET, hook.body, signature)).toBe(true);
    expect(verifyWebhook("another secret entirely", hook.body, signature)).toBe(false);
    expect(verifyWebhook(SECRET, hook.body.replace("50 %", "5 %"), signature)).toBe(false);
    expect(verifyWebhook(SECRET, hook.body, signature, Date.now() / 1000 + 3600)).toBe(false);
    const body = JSON.parse(hook.body);
    expect(body).toMatchObject({ version: 1, status: "firing", severity: "critical", subject: "pay.charge", rule: { name: rule }, url: "https://celeriac.example.com/tasks/abc-123" });
    expect(hook.headers["x-celeriac-delivery"]).toBe(body.deliveryId);
    expect(hook.headers["x-celeriac-event"]).toBe("firing");

    const chat = JSON.parse(slack.body);
    expect(chat.text).toContain(`<https://celeriac.example.com/tasks/abc-123|Open in Celeriac>`);
    expect(chat.text).toContain("[FIRING] critical");
    expect(chat.attachments[0]).toMatchObject({ title_link: "https://celeriac.example.com/tasks/abc-123", color: "#d64545" });

    const [mail] = await smtp.waitFor(1);
    expect(mail!.to).toEqual(["oncall@example.com", "lead@example.com"]);
    expect(mail!.from).toBe("alerts@celeriac.test");
    expect(mail!.headers.subject).toContain(`[Celeriac] [FIRING] critical · ${rule} · pay.charge`);
    expect(mail!.text).toContain("Open in Celeriac: https://celeriac.example.com/tasks/abc-123");

    const deliveries = await deliveriesOf(rule);
    expect(deliveries.map((delivery) => [delivery.channel, delivery.status, delivery.attempts, delivery.lastError])).toEqual([
      ["hook", "sent", 1, null],
      ["chat", "sent", 1, null],
      ["mail", "sent", 1, null],
    ]);
    expect(deliveries[0]!.response).toBe("HTTP 200");
    expect(deliveries[2]!.response).toMatch(/^250/);
    // Nothing is due any more.
    expect(await deliver(T0 + 3600)).toEqual({ sent: 0, retrying: 0, failed: 0 });
  });

  it("retries a failing receiver on the back-off schedule, recording each reason, until it answers", async () => {
    receiver.answer(503);
    const before = receiver.requests.length;
    const rule = await fire([{ name: "hook", type: "webhook" }], T0 + 10_000);
    expect(await deliver(T0 + 10_000)).toEqual({ sent: 0, retrying: 1, failed: 0 });
    let [delivery] = await deliveriesOf(rule);
    expect(delivery).toMatchObject({ status: "pending", attempts: 1, nextAttemptAt: T0 + 10_000 + retryDelay(POLICY, 1) });
    expect(delivery!.lastError).toMatch(/answered HTTP 503: receiver is failing on purpose/);
    // Not due yet: nothing is sent.
    expect(await deliver(T0 + 10_005)).toEqual({ sent: 0, retrying: 0, failed: 0 });
    receiver.answer(200);
    expect(await deliver(T0 + 10_010)).toEqual({ sent: 1, retrying: 0, failed: 0 });
    [delivery] = await deliveriesOf(rule);
    expect(delivery).toMatchObject({ status: "sent", attempts: 2, lastError: null });
    expect(receiver.requests.length - before).toBe(2);
    // Both attempts carried the same delivery id, so the receiver can drop the repeat.
    const [a, b] = receiver.requests.slice(before);
    expect(a!.headers["x-celeriac-delivery"]).toBe(b!.headers["x-celeriac-delivery"]);
  });

  it("gives up after the last attempt against a receiver that is down, saying why; a missing channel and email without SMTP fail with the reason", async () => {
    const closed = await freePort();
    await alerts.saveChannel({ name: "down", type: "webhook", url: `http://127.0.0.1:${closed}/unreachable` }, "test");
    const at = T0 + 20_000;
    const rule = await fire([{ name: "down", type: "webhook" }, { name: "nowhere", type: "missing" }, { name: "mail", type: "email" }], at);
    expect(await deliver(at, null)).toEqual({ sent: 0, retrying: 3, failed: 0 });
    expect(await deliver(at + 10, null)).toEqual({ sent: 0, retrying: 3, failed: 0 });
    expect(await deliver(at + 40, null)).toEqual({ sent: 0, retrying: 0, failed: 3 });
    const deliveries = await deliveriesOf(rule);
    expect(deliveries.map((delivery) => [delivery.channel, delivery.status, delivery.attempts])).toEqual([
      ["down", "failed", 3],
      ["nowhere", "failed", 3],
      ["mail", "failed", 3],
    ]);
    expect(deliveries[0]!.lastError).toBe(`could not reach http://127.0.0.1:${closed}: ECONNREFUSED`);
    expect(deliveries[1]!.lastError).toMatch(/channel "nowhere" does not exist/);
    expect(deliveries[2]!.lastError).toMatch(/CELERIAC_SMTP_URL/);
  });
});
