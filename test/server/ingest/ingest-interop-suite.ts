// The event ingestor following a real Python Celery 5.2 worker (-E, task_send_sent_event) on Redis
// and RabbitMQ, written to a given history (the in-memory double or the real store): the login
// workflow, a chord, a failure and a retried task all end with their final state; on RabbitMQ a
// store outage leaves the events in the durable queue, across an ingestor restart, until recovery.

import { afterAll, beforeAll, expect, it } from "vitest";
import { type Broker, ContentDisallowed, createBroker, DecodeError, MalformedMessage } from "../../../src/celery/index";
import { EventIngestor, type EventIngestorOptions } from "../../../src/server/ingest/event-ingestor";
import type { HistoryWriter, IngestBatch, QueueSample } from "../../../src/server/ingest/observation";
import { type PeerConfig, type PythonWorker, runPython, startPythonWorker } from "../../support/python-celery";
import { AMQP_URL, describeWith, REDIS_URL, type Service, uniqueName } from "../../support/services";

/** What a test reads back from a history, whatever keeps it. */
export interface StoredTaskView {
  state?: string;
  name?: string;
  result?: string;
  exception?: string;
  traceback?: string;
  retries?: number;
  worker?: string;
  queue?: string;
  rootId?: string;
  parentId?: string;
  sentAt?: number;
  receivedAt?: number;
  startedAt?: number;
  finishedAt?: number;
  /** Timeline event types, in the history's order. */
  timeline: string[];
}

export interface HistoryUnderTest {
  writer: HistoryWriter;
  task(id: string): Promise<StoredTaskView | undefined>;
  worker(hostname: string): Promise<{ status: string; freq?: number; swIdent?: string; swVer?: string } | undefined>;
  close(): Promise<void>;
}

/** Passes batches through to a history unless `down` is set: a simulated database outage. */
class SwitchableWriter implements HistoryWriter {
  down: Error | null = null;
  constructor(private readonly inner: HistoryWriter) {}
  async applyBatch(batch: IngestBatch): Promise<void> {
    if (this.down) throw this.down;
    await this.inner.applyBatch(batch);
  }
  recordQueueSamples(samples: QueueSample[]): Promise<void> {
    return this.inner.recordQueueSamples(samples);
  }
}

const brokers: [Service, string][] = [
  ["redis", REDIS_URL],
  ["rabbitmq", AMQP_URL],
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 30_000, detail: () => Promise<unknown> = async () => ""): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await detail())}`);
    await sleep(100);
  }
}

interface Ran {
  login: string[];
  chord: string;
  header: string[];
  failed: string;
  retried: string;
  retries: number;
}

// Every id of the login workflow, from the last step back through GroupResult members.
const WORKLOAD = `
from celery import chord
from celery.result import GroupResult

def ids_of(node):
    out = []
    while node is not None:
        out.extend([member.id for member in node.results] if isinstance(node, GroupResult) else [node.id])
        node = node.parent
    return out

login = login_workflow("u7", "pixel-9").apply_async()
login.get(timeout=30)
c = chord([add.s(i, i) for i in range(3)], tsum.s()).apply_async()
assert c.get(timeout=30) == 6
f = fail.delay("nope")
f.get(timeout=30, propagate=False)
r = retry_then_succeed.delay(2)
retries = r.get(timeout=30)
print(json.dumps({"login": ids_of(login), "chord": c.id, "header": [m.id for m in c.parent.results], "failed": f.id, "retried": r.id, "retries": retries}))
`;

/** Registers, per broker, the interop tests against histories opened by `open`. */
export async function ingestInteropSuite(label: string, services: Service[], open: () => Promise<HistoryUnderTest>): Promise<void> {
  for (const [service, brokerUrl] of brokers) {
    await describeWith([service, "redis", "python-celery", ...services], `event ingestor following Python Celery over ${service} into ${label}`, () => {
      const queue = uniqueName("ingest");
      const eventQueue = `celeriac.events.${queue}`;
      const peer: PeerConfig = { brokerUrl, backendUrl: REDIS_URL, queue };
      let broker: Broker;
      let worker: PythonWorker | undefined;
      const ingestors: EventIngestor[] = [];
      const histories: HistoryUnderTest[] = [];
      const errors: Error[] = [];

      async function history(): Promise<HistoryUnderTest> {
        const opened = await open();
        histories.push(opened);
        return opened;
      }

      function ingestor(writer: HistoryWriter, options: Partial<EventIngestorOptions> = {}): EventIngestor {
        // Other suites share these brokers and may publish bad events on purpose: only our own
        // failures (store, acks) count here.
        const onError = (error: Error) => {
          if (!(error instanceof MalformedMessage || error instanceof DecodeError || error instanceof ContentDisallowed)) errors.push(error);
        };
        const created = new EventIngestor({ broker, writer, queueName: eventQueue, flushIntervalMs: 50, onError, ...options });
        ingestors.push(created);
        return created;
      }

      beforeAll(async () => {
        broker = createBroker(brokerUrl);
        await broker.connect();
        worker = await startPythonWorker(peer);
      }, 60_000);

      afterAll(async () => {
        await worker?.stop();
        for (const created of ingestors) await created.stop();
        for (const opened of histories) await opened.close();
        await broker?.deleteQueue(queue);
        await broker?.deleteQueue(eventQueue);
        await broker?.close();
      });

      it("writes the login workflow, a chord, a failure and a retried task with their final states", async () => {
        const store = await history();
        const ingest = ingestor(store.writer);
        await ingest.start();
        expect(ingest.durable).toBe(service === "rabbitmq");
        const ran = await runPython<Ran>(peer, WORKLOAD, 90_000);
        const all = [...ran.login, ran.chord, ...ran.header, ran.failed, ran.retried];
        const final = async () => Promise.all(all.map(async (id) => (await store.task(id))?.state));
        await waitFor("every task final", async () => (await final()).every((state) => state === "SUCCESS" || state === "FAILURE"), 60_000, final);
        // A step's task-sent comes from whoever sent it (the producer, or the worker's pool process
        // that ran the step before), apart from the worker's own events for it: nothing orders it
        // before the task's final event, so wait for each timeline to be whole.
        const timelines = async () => Promise.all(ran.login.map(async (id) => [...((await store.task(id))?.timeline ?? [])].sort().join(",")));
        await waitFor("the login tasks' whole timelines", async () => (await timelines()).every((types) => types === "task-received,task-sent,task-started,task-succeeded"), 30_000, timelines);
        expect(ran.login).toHaveLength(5);
        const root = ran.login.at(-1)!;
        for (const id of ran.login) {
          const task = (await store.task(id))!;
          expect(task).toMatchObject({ state: "SUCCESS", worker: worker!.hostname, queue, rootId: root, sentAt: expect.any(Number), receivedAt: expect.any(Number), startedAt: expect.any(Number), finishedAt: expect.any(Number) });
          expect([...task.timeline].sort()).toEqual(["task-received", "task-sent", "task-started", "task-succeeded"]);
        }
        expect((await Promise.all(ran.login.map(async (id) => (await store.task(id))!.name))).sort()).toEqual([
          "seedflow.check_device",
          "seedflow.notify_user",
          "seedflow.post_process",
          "seedflow.post_to_api",
          "seedflow.save_event",
        ]);
        expect(await store.task(ran.chord)).toMatchObject({ name: "seedflow.tsum", result: "6", state: "SUCCESS" });
        expect(await Promise.all(ran.header.map(async (id) => (await store.task(id))?.state))).toEqual(["SUCCESS", "SUCCESS", "SUCCESS"]);
        expect(await store.task(ran.failed)).toMatchObject({ state: "FAILURE", name: "seedflow.fail", exception: "ValueError('nope')", traceback: expect.stringContaining("Traceback") });
        expect(ran.retries).toBe(2);
        const retried = (await store.task(ran.retried))!;
        expect(retried).toMatchObject({ state: "SUCCESS", name: "seedflow.retry_then_succeed", result: "2", retries: 2 });
        expect(retried.timeline.filter((type) => type === "task-retried")).toHaveLength(2);
        await waitFor("a heartbeat", async () => (await store.worker(worker!.hostname)) !== undefined);
        expect(await store.worker(worker!.hostname)).toMatchObject({ status: "online", freq: 2, swIdent: "py-celery", swVer: "5.2.6" });
        expect(ingest.stats()).toMatchObject({ dropped: 0 });
        await ingest.stop();
        expect(errors).toEqual([]);
      }, 180_000);

      if (service === "rabbitmq") {
        it("during a store outage events wait unacked in the bounded durable queue, survive an ingestor restart, and catch up after recovery", async () => {
          const store = await history();
          const writer = new SwitchableWriter(store.writer);
          writer.down = new Error("connect ECONNREFUSED 127.0.0.1:5432 (simulated PostgreSQL outage)");
          const first = ingestor(writer, { prefetch: 4, stopTimeoutMs: 300, retryInitialMs: 50, retryMaxMs: 200 });
          await first.start();
          const ids = await runPython<string[]>(peer, `rs = [add.delay(i, 1) for i in range(20)]\n[r.get(timeout=30) for r in rs]\nprint(json.dumps([r.id for r in rs]))`, 60_000);
          // The worker sends task events in task.multi batches, so deliveries are fewer than
          // events; prefetch 4 holds back all but a few.
          await waitFor("the store down", async () => first.stats().storeDown);
          await sleep(1_000);
          expect(await broker.queueSize(eventQueue)).toBeGreaterThan(0);
          expect(first.stats().written).toBe(0);
          await first.stop();
          expect(await store.task(ids[0]!)).toBeUndefined();

          // Recovery, with a fresh ingestor: the durable queue hands everything over again.
          errors.length = 0;
          writer.down = null;
          const second = ingestor(writer);
          await second.start();
          const timelines = async () => Promise.all(ids.map(async (id) => await store.task(id)));
          await waitFor(
            "catch-up",
            async () => (await timelines()).every((task) => task?.state === "SUCCESS" && task.timeline.length === 4),
            30_000,
            timelines,
          );
          await waitFor("the queue drained", async () => (await broker.queueSize(eventQueue)) === 0);
          await second.stop();
          expect(errors).toEqual([]);
        }, 180_000);
      }
    });
  }
}
