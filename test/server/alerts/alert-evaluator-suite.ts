// The alert evaluator against a real store (run on PGlite and on PostgreSQL): for every rule kind,
// synthetic observations written through the store's own ingest path make the rule fire, stay
// firing while the value sits between the resolve and fire thresholds (or inside a duration),
// and resolve; a silence keeps notifications from being queued. Each test has its own store, so
// only its own rules are evaluated.

import { afterEach, expect, it } from "vitest";
import { type AlertRuleInput, alertRuleInput } from "../../../src/server/alerts/alert-rule";
import { CounterHistory } from "../../../src/server/alerts/counter-history";
import { evaluateAlerts } from "../../../src/server/alerts/evaluate-alerts";
import type { IngestBatch, TaskObservation } from "../../../src/server/ingest/observation";
import { redactPattern } from "../../../src/server/services/redact";
import { type AlertEventRow, alertStore, type Store } from "../../../src/server/store/index";

export type OpenStore = () => Promise<Store>;

// Whole minutes, so windows line up with the rollups' minutes.
const T0 = Math.floor(Date.now() / 1000 / 60) * 60 - 3600;

function batch(parts: Partial<IngestBatch>): IngestBatch {
  return { tasks: [], workers: [], groups: [], edges: [], ...parts };
}

let serial = 0;
function finished(name: string, state: "SUCCESS" | "FAILURE", at: number, extra: Partial<TaskObservation> = {}): TaskObservation {
  return { id: `${name}-${state}-${serial++}`, source: "event", name, state, stateAt: at, finishedAt: at, queue: "q", worker: "w@a", ...(state === "FAILURE" ? { exception: "ValueError('card declined, password=hunter2')" } : {}), ...extra };
}

const many = (n: number, make: (i: number) => TaskObservation) => Array.from({ length: n }, (_, i) => make(i));

export function alertEvaluatorSuite(open: OpenStore): void {
  let store: Store;
  afterEach(async () => {
    await store?.close();
  });

  async function setUp(rule: AlertRuleInput, channels = true) {
    store = await open();
    const alerts = alertStore(store);
    if (channels) await alerts.saveChannel({ name: "hook", type: "webhook", url: "http://127.0.0.1:9/hook", secret: "0123456789abcdef" }, "test");
    const created = await alerts.createRule(alertRuleInput.parse({ channels: channels ? ["hook"] : [], ...rule }), "test");
    if (!created) throw new Error("rule not created");
    const counters = new CounterHistory();
    const evaluate = async (now: number) => (await evaluateAlerts({ store, alerts, counters, redactKeys: redactPattern(), now })).events;
    const open_ = async () => (await alerts.listStates()).map((state) => ({ subject: state.subject, status: state.status }));
    const history = async () => (await alerts.listEvents({ limit: 100 })).reverse();
    return { alerts, rule: created, evaluate, open: open_, history };
  }

  const kinds = (events: { kind: string; subject: string }[]) => events.map((event) => `${event.kind}:${event.subject}`);

  it("failure_rate: fires per task name once enough finished, stays firing between the thresholds, resolves after resolveForSeconds; the firing links to the newest failure, its error redacted", async () => {
    const { evaluate, open, history } = await setUp({ name: "rate", kind: "failure_rate", selector: "pay.*", windowSeconds: 600, fireThreshold: 0.5, resolveThreshold: 0.2, resolveForSeconds: 60, minCount: 4, severity: "critical" });
    await store.applyBatch(batch({ tasks: [...many(3, () => finished("pay.charge", "SUCCESS", T0 - 30)), ...many(3, () => finished("pay.charge", "FAILURE", T0 - 20)), finished("pay.refund", "FAILURE", T0 - 20), finished("other.task", "FAILURE", T0 - 20)] }));
    expect(kinds(await evaluate(T0))).toEqual(["firing:pay.charge"]);
    // 3 of 9: under the fire threshold, over the resolve threshold: still firing, nothing new.
    await store.applyBatch(batch({ tasks: many(3, () => finished("pay.charge", "SUCCESS", T0 + 10)) }));
    expect(await evaluate(T0 + 30)).toEqual([]);
    expect(await open()).toEqual([{ subject: "pay.charge", status: "firing" }]);
    // 3 of 16 < 0.2: resolving, then resolved once it stayed there 60 s.
    await store.applyBatch(batch({ tasks: many(7, () => finished("pay.charge", "SUCCESS", T0 + 40)) }));
    expect(await evaluate(T0 + 60)).toEqual([]);
    expect(await open()).toEqual([{ subject: "pay.charge", status: "resolving" }]);
    expect(kinds(await evaluate(T0 + 120))).toEqual(["resolved:pay.charge"]);
    expect(await open()).toEqual([]);

    const [fired, resolved] = await history();
    expect(fired).toMatchObject({ kind: "firing", severity: "critical", ruleName: "rate", value: 0.5 });
    expect(fired!.link).toMatch(/^\/tasks\/pay\.charge-FAILURE-\d+$/);
    expect(fired!.message).toMatch(/failure rate of pay\.charge over 10 min is 50 % \(fires at 50 %\) — last error: ValueError/);
    expect(fired!.message).not.toContain("hunter2");
    expect(resolved).toMatchObject({ kind: "resolved", link: fired!.link });
    for (const event of [fired!, resolved!] as (AlertEventRow & { deliveries: { channel: string; status: string }[] })[]) {
      expect(event.deliveries).toEqual([expect.objectContaining({ channel: "hook", status: "pending" })]);
    }
  });

  it("task_failures: fires at N failures in the window and resolves when they leave it", async () => {
    const { evaluate } = await setUp({ name: "fails", kind: "task_failures", selector: "jobs.import", windowSeconds: 300, fireThreshold: 3, resolveThreshold: 1 });
    await store.applyBatch(batch({ tasks: many(2, () => finished("jobs.import", "FAILURE", T0 - 60)) }));
    expect(await evaluate(T0)).toEqual([]);
    await store.applyBatch(batch({ tasks: [finished("jobs.import", "FAILURE", T0 - 50)] }));
    expect(kinds(await evaluate(T0 + 1))).toEqual(["firing:jobs.import"]);
    expect(await evaluate(T0 + 200)).toEqual([]);
    expect(kinds(await evaluate(T0 + 400))).toEqual(["resolved:jobs.import"]);
  });

  it("runtime_p95: waits forSeconds before firing, stays firing while the p95 is over the resolve threshold", async () => {
    const { evaluate, open } = await setUp({ name: "slow", kind: "runtime_p95", selector: "report.*", windowSeconds: 300, fireThreshold: 10, resolveThreshold: 5, forSeconds: 60, minCount: 5 });
    await store.applyBatch(batch({ tasks: many(5, () => finished("report.build", "SUCCESS", T0 - 30, { runtime: 20 })) }));
    expect(await evaluate(T0)).toEqual([]);
    expect(await open()).toEqual([{ subject: "report.build", status: "pending" }]);
    expect(kinds(await evaluate(T0 + 60))).toEqual(["firing:report.build"]);
    // The slow ones leave the window; fast ones (7 s: between the thresholds) keep it firing.
    await store.applyBatch(batch({ tasks: many(10, () => finished("report.build", "SUCCESS", T0 + 300, { runtime: 7 })) }));
    expect(await evaluate(T0 + 400)).toEqual([]);
    expect(await open()).toEqual([{ subject: "report.build", status: "firing" }]);
    await store.applyBatch(batch({ tasks: many(10, () => finished("report.build", "SUCCESS", T0 + 700, { runtime: 0.5 })) }));
    expect(kinds(await evaluate(T0 + 760))).toEqual(["resolved:report.build"]);
  });

  it("queue_depth: fires over the threshold, stays firing above the resolve threshold, ignores stale samples", async () => {
    const { evaluate, open } = await setUp({ name: "depth", kind: "queue_depth", selector: "imports", windowSeconds: 120, fireThreshold: 100, resolveThreshold: 10 });
    const sample = (at: number, depth: number) => store.recordQueueSamples([{ broker: "redis://test", queue: "imports", at, depth }]);
    await sample(T0, 150);
    expect(kinds(await evaluate(T0 + 1))).toEqual(["firing:imports"]);
    await sample(T0 + 30, 50);
    expect(await evaluate(T0 + 31)).toEqual([]);
    expect(await open()).toEqual([{ subject: "imports", status: "firing" }]);
    await sample(T0 + 60, 5);
    expect(kinds(await evaluate(T0 + 61))).toEqual(["resolved:imports"]);
    // A deep sample older than the window says nothing about now.
    await sample(T0 + 100, 500);
    expect(await evaluate(T0 + 400)).toEqual([]);
  });

  it("queue_age: fires while the oldest PENDING task has waited too long, resolves once it is picked up", async () => {
    const { evaluate } = await setUp({ name: "age", kind: "queue_age", selector: "slow-q", windowSeconds: 300, fireThreshold: 600, resolveThreshold: 60 });
    const id = `waiting-${serial++}`;
    await store.applyBatch(batch({ tasks: [{ id, source: "capture", state: "PENDING", stateAt: T0 - 900, sentAt: T0 - 900, queue: "slow-q", name: "x.y" }] }));
    expect(kinds(await evaluate(T0))).toEqual(["firing:slow-q"]);
    await store.applyBatch(batch({ tasks: [{ id, source: "event", state: "STARTED", stateAt: T0 + 5, startedAt: T0 + 5, worker: "w@a" }] }));
    expect(kinds(await evaluate(T0 + 10))).toEqual(["resolved:slow-q"]);
  });

  it("queue_no_consumer: the broker's consumer count decides where it keeps one; else the live workers' inspected queues", async () => {
    const { evaluate } = await setUp({ name: "orphan", kind: "queue_no_consumer", selector: "orphan-*", windowSeconds: 300, fireThreshold: 1, resolveThreshold: 1 });
    await store.recordQueueSamples([
      { broker: "amqp://test", queue: "orphan-amqp", at: T0, depth: 3, consumers: 0 },
      { broker: "redis://test", queue: "orphan-redis", at: T0, depth: 3 },
    ]);
    await store.applyBatch(batch({ workers: [{ hostname: "w@orphan", status: "online", at: T0, heartbeat: true, freq: 2 }] }));
    await store.recordWorkerDetails([{ hostname: "w@orphan", at: T0, queues: ["other"] }]);
    expect(kinds(await evaluate(T0 + 1)).sort()).toEqual(["firing:orphan-amqp", "firing:orphan-redis"]);
    await store.recordQueueSamples([{ broker: "amqp://test", queue: "orphan-amqp", at: T0 + 2, depth: 3, consumers: 1 }]);
    await store.applyBatch(batch({ workers: [{ hostname: "w@orphan", status: "online", at: T0 + 2, heartbeat: true, freq: 2 }] }));
    await store.recordWorkerDetails([{ hostname: "w@orphan", at: T0 + 2, queues: ["other", "orphan-redis"] }]);
    expect(kinds(await evaluate(T0 + 3)).sort()).toEqual(["resolved:orphan-amqp", "resolved:orphan-redis"]);
  });

  it("worker_offline: fires after forSeconds without heartbeats and resolves when the worker beats again", async () => {
    const { evaluate, open } = await setUp({ name: "gone", kind: "worker_offline", selector: "celery@*", windowSeconds: 3600, fireThreshold: 1, resolveThreshold: 1, forSeconds: 30 });
    const beat = (at: number) => store.applyBatch(batch({ workers: [{ hostname: "celery@box", status: "online", at, heartbeat: true, freq: 2 }] }));
    await beat(T0);
    expect(await evaluate(T0 + 1)).toEqual([]);
    expect(await evaluate(T0 + 10)).toEqual([]);
    expect(await open()).toEqual([{ subject: "celery@box", status: "pending" }]);
    expect(kinds(await evaluate(T0 + 40))).toEqual(["firing:celery@box"]);
    expect((await alertStore(store).listEvents({ limit: 1 }))[0]!.link).toBe("/workers/celery%40box");
    await beat(T0 + 50);
    expect(kinds(await evaluate(T0 + 51))).toEqual(["resolved:celery@box"]);
  });

  it("ingest_lag: the age of the newest heartbeat of an online worker", async () => {
    const { evaluate } = await setUp({ name: "lag", kind: "ingest_lag", windowSeconds: 300, fireThreshold: 60, resolveThreshold: 15 });
    await store.applyBatch(batch({ workers: [{ hostname: "w@lag", status: "online", at: T0, heartbeat: true, freq: 2 }] }));
    expect(await evaluate(T0 + 30)).toEqual([]);
    expect(kinds(await evaluate(T0 + 90))).toEqual(["firing:"]);
    // Ingestion catches up: 30 s behind is under the fire threshold but over the resolve one.
    await store.applyBatch(batch({ workers: [{ hostname: "w@lag", status: "online", at: T0 + 70, heartbeat: true, freq: 2 }] }));
    expect(await evaluate(T0 + 100)).toEqual([]);
    await store.applyBatch(batch({ workers: [{ hostname: "w@lag", status: "online", at: T0 + 100, heartbeat: true, freq: 2 }] }));
    expect(kinds(await evaluate(T0 + 101))).toEqual(["resolved:"]);
  });

  it("ingest_errors: counts how much the selected counters grew over the window", async () => {
    const { evaluate } = await setUp({ name: "drops", kind: "ingest_errors", selector: "events.dropped|quarantined.*", windowSeconds: 120, fireThreshold: 5, resolveThreshold: 1 });
    await store.incrementCounters({ "events.dropped": 100, "events.written": 10 });
    expect(await evaluate(T0)).toEqual([]);
    await store.incrementCounters({ "events.dropped": 3, "quarantined.event": 2, "events.written": 1000 });
    expect(kinds(await evaluate(T0 + 60))).toEqual(["firing:"]);
    expect(await evaluate(T0 + 150)).toEqual([]);
    expect(kinds(await evaluate(T0 + 200))).toEqual(["resolved:"]);
  });

  it("a silenced alert queues no notification; one still firing when the silence ends is notified then, and its resolution too", async () => {
    const { alerts, rule, evaluate, history } = await setUp({ name: "hushed", kind: "task_failures", selector: "*", windowSeconds: 600, fireThreshold: 1, resolveThreshold: 1 });
    const silence = await alerts.createSilence({ ruleId: rule.id, subject: "noisy.*", startsAt: T0 - 10, endsAt: T0 + 100, createdBy: "ops", reason: "deploying" });
    await store.applyBatch(batch({ tasks: [finished("noisy.task", "FAILURE", T0 - 5)] }));
    expect(kinds(await evaluate(T0))).toEqual(["firing:noisy.task"]);
    expect(await evaluate(T0 + 50)).toEqual([]);
    // The silence is over, the task still fails: now it is notified.
    const late = await evaluate(T0 + 110);
    expect(kinds(late)).toEqual(["firing:noisy.task"]);
    expect(late[0]!.message).toMatch(/held this back/);
    expect(kinds(await evaluate(T0 + 700))).toEqual(["resolved:noisy.task"]);
    const events = await history();
    expect(events.map((event) => [event.kind, event.silencedBy, event.deliveries.length])).toEqual([
      ["firing", silence.id, 0],
      ["firing", null, 1],
      ["resolved", null, 1],
    ]);
  });

  it("a firing and resolution entirely under a silence notify nothing", async () => {
    const { alerts, rule, evaluate, history } = await setUp({ name: "snoozed", kind: "task_failures", selector: "*", windowSeconds: 120, fireThreshold: 1, resolveThreshold: 1 });
    await alerts.createSilence({ ruleId: rule.id, subject: "*", startsAt: T0 - 10, endsAt: T0 + 3600, createdBy: "ops", reason: null });
    await store.applyBatch(batch({ tasks: [finished("any.task", "FAILURE", T0 - 5)] }));
    await evaluate(T0);
    await evaluate(T0 + 300);
    expect((await history()).map((event) => [event.kind, event.deliveries.length])).toEqual([
      ["firing", 0],
      ["resolved", 0],
    ]);
  });

  it("acknowledging a firing alert records who and why on it and in the history; rules scoped to another environment are not evaluated", async () => {
    const { alerts, rule, evaluate, history } = await setUp({ name: "ackme", kind: "task_failures", selector: "*", windowSeconds: 600, fireThreshold: 1, resolveThreshold: 1 });
    await alerts.createRule(alertRuleInput.parse({ name: "staging only", kind: "task_failures", windowSeconds: 600, fireThreshold: 1, resolveThreshold: 1, environment: "staging" }), "test");
    await store.applyBatch(batch({ tasks: [finished("ack.task", "FAILURE", T0 - 5)] }));
    expect(kinds(await evaluate(T0))).toEqual(["firing:ack.task"]);
    expect(await alerts.acknowledge({ ruleId: rule.id, subject: "ack.task" }, "vera", "looking into it", T0 + 5)).toBe(true);
    expect(await alerts.acknowledge({ ruleId: rule.id, subject: "nothing" }, "vera", null, T0 + 5)).toBe(false);
    expect(await evaluate(T0 + 10)).toEqual([]);
    const [state] = await alerts.listStates();
    expect(state).toMatchObject({ acknowledgedBy: "vera", acknowledgeNote: "looking into it", status: "firing" });
    expect((await history()).map((event) => [event.kind, event.actor])).toEqual([
      ["firing", null],
      ["acknowledged", "vera"],
    ]);
  });
}
