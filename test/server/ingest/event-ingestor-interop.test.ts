// The event ingestor following a real Python Celery 5.2 worker (-E, task_send_sent_event) on Redis
// and RabbitMQ: every task of the login workflow, a chord, a failure and a retried task ends in the
// writer with its final state; on RabbitMQ a store outage leaves the events in the durable queue.

import { afterAll, beforeAll, expect, it } from "vitest";
import { type Broker, createBroker } from "../../../src/celery/index";
import { EventIngestor, type EventIngestorOptions } from "../../../src/server/ingest/event-ingestor";
import { type PeerConfig, type PythonWorker, runPython, startPythonWorker } from "../../support/python-celery";
import { AMQP_URL, describeWith, REDIS_URL, type Service, uniqueName } from "../../support/services";
import { MemoryHistoryWriter } from "./memory-history-writer";

const brokers: [Service, string][] = [
  ["redis", REDIS_URL],
  ["rabbitmq", AMQP_URL],
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000, detail: () => unknown = () => ""): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(detail())}`);
    await sleep(100);
  }
}

interface Ran {
  login: string;
  chord: string;
  header: string[];
  failed: string;
  retried: string;
  retries: number;
}

const WORKLOAD = `
from celery import chord
login = login_workflow("u7", "pixel-9").apply_async()
login.get(timeout=30)
c = chord([add.s(i, i) for i in range(3)], tsum.s()).apply_async()
assert c.get(timeout=30) == 6
header = [member.id for member in c.parent.results]
f = fail.delay("nope")
f.get(timeout=30, propagate=False)
r = retry_then_succeed.delay(2)
print(json.dumps({"login": login.id, "chord": c.id, "header": header, "failed": f.id, "retried": r.id, "retries": r.get(timeout=30)}))
`;

for (const [service, brokerUrl] of brokers) {
  await describeWith([service, "redis", "python-celery"], `event ingestor following Python Celery over ${service}`, () => {
    const queue = uniqueName("ingest");
    const peer: PeerConfig = { brokerUrl, backendUrl: REDIS_URL, queue };
    let broker: Broker;
    let worker: PythonWorker | undefined;
    const ingestors: EventIngestor[] = [];
    const errors: Error[] = [];

    function ingestor(writer: MemoryHistoryWriter, options: Partial<EventIngestorOptions> = {}): EventIngestor {
      const created = new EventIngestor({ broker, writer, queueName: `celeriac.events.${queue}`, flushIntervalMs: 50, onError: (error) => void errors.push(error), ...options });
      ingestors.push(created);
      return created;
    }

    beforeAll(async () => {
      broker = createBroker(brokerUrl);
      await broker.connect();
    });

    afterAll(async () => {
      await worker?.stop();
      for (const created of ingestors) await created.stop();
      await broker?.deleteQueue(queue);
      await broker?.deleteQueue(`celeriac.events.${queue}`);
      await broker?.close();
    });

    it("writes the login workflow, a chord, a failure and a retried task with their final states", async () => {
      const writer = new MemoryHistoryWriter();
      const ingest = ingestor(writer);
      await ingest.start();
      expect(ingest.durable).toBe(service === "rabbitmq");
      worker = await startPythonWorker(peer);
      const ran = await runPython<Ran>(peer, WORKLOAD, 90_000);
      const inRoot = (id: string) => {
        const rootId = writer.tasks.get(id)?.rootId;
        return [...writer.tasks.values()].filter((task) => rootId !== undefined && task.rootId === rootId);
      };
      await waitFor(
        "every task final",
        () =>
          inRoot(ran.login).filter((task) => task.state === "SUCCESS").length === 5 &&
          writer.tasks.get(ran.chord)?.state === "SUCCESS" &&
          writer.tasks.get(ran.failed)?.state === "FAILURE" &&
          writer.tasks.get(ran.retried)?.state === "SUCCESS",
        30_000,
        () => [...writer.tasks.values()].map((task) => [task.name, task.state]),
      );
      const login = inRoot(ran.login);
      expect(login.map((task) => task.name).sort()).toEqual(["seedflow.check_device", "seedflow.notify_user", "seedflow.post_process", "seedflow.post_to_api", "seedflow.save_event"]);
      for (const task of login) {
        expect(task).toMatchObject({ state: "SUCCESS", worker: worker.hostname, queue, sentAt: expect.any(Number), receivedAt: expect.any(Number), startedAt: expect.any(Number), finishedAt: expect.any(Number) });
        expect(task.timeline.map((event) => event.type).sort()).toEqual(["task-received", "task-sent", "task-started", "task-succeeded"]);
      }
      // Parent edges: every login task but the root has one.
      const rootId = writer.tasks.get(ran.login)!.rootId!;
      expect([...writer.edges].filter((edge) => edge.endsWith(`(root ${rootId})`))).toHaveLength(4);
      // The chord: three header tasks and the body, all done.
      expect(writer.tasks.get(ran.chord)).toMatchObject({ name: "seedflow.tsum", result: "6" });
      expect(ran.header.map((id) => writer.tasks.get(id)?.state)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS"]);
      expect(writer.tasks.get(ran.failed)).toMatchObject({ name: "seedflow.fail", exception: "ValueError('nope')", traceback: expect.stringContaining("Traceback") });
      const retried = writer.tasks.get(ran.retried)!;
      expect(ran.retries).toBe(2);
      expect(retried).toMatchObject({ name: "seedflow.retry_then_succeed", result: "2", retries: 2 });
      expect(retried.timeline.filter((event) => event.type === "task-retried")).toHaveLength(2);
      await waitFor("a heartbeat", () => writer.workers.get(worker!.hostname) !== undefined);
      expect(writer.workers.get(worker.hostname)).toMatchObject({ status: "online", freq: 2, swIdent: "py-celery", swVer: "5.2.6" });
      expect(ingest.stats()).toMatchObject({ malformed: 0, dropped: 0 });
      await ingest.stop();
      expect(errors).toEqual([]);
    }, 120_000);

    if (service === "rabbitmq") {
      it("during a store outage events wait unacked in the bounded durable queue, survive an ingestor restart, and catch up after recovery", async () => {
        const down = new MemoryHistoryWriter();
        down.down = new Error("connect ECONNREFUSED 127.0.0.1:5432 (simulated PostgreSQL outage)");
        const first = ingestor(down, { prefetch: 4, stopTimeoutMs: 300, retryInitialMs: 50, retryMaxMs: 200 });
        await first.start();
        worker ??= await startPythonWorker(peer);
        const ids = await runPython<string[]>(peer, `rs = [add.delay(i, 1) for i in range(20)]\n[r.get(timeout=30) for r in rs]\nprint(json.dumps([r.id for r in rs]))`, 60_000);
        const events = `celeriac.events.${queue}`;
        // The worker sends task events in task.multi batches, so deliveries are fewer than events;
        // prefetch 4 holds back all but a few.
        await waitFor("the store down", () => first.stats().storeDown);
        await sleep(1_000);
        expect(await broker.queueSize(events)).toBeGreaterThan(0);
        expect(first.stats().written).toBe(0);
        await first.stop();
        expect(down.batches).toEqual([]);

        // Recovery, with a fresh process: the durable queue hands everything over again.
        errors.length = 0;
        const up = new MemoryHistoryWriter();
        const second = ingestor(up);
        await second.start();
        await waitFor(
          "catch-up",
          () => ids.every((id) => up.tasks.get(id)?.state === "SUCCESS" && up.tasks.get(id)!.timeline.length === 4),
          30_000,
          () => ids.map((id) => up.tasks.get(id)?.timeline.map((event) => event.type)),
        );
        await waitFor("the queue drained", async () => (await broker.queueSize(events)) === 0);
        await second.stop();
        expect(errors).toEqual([]);
      }, 120_000);
    }
  });
}
