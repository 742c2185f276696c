// Events both ways with real Python Celery 5.2: our receiver follows a Python worker started with
// -E, and Python's own Receiver + State (what Flower and `celery events` use) follow our dispatcher.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Broker, type CeleryEvent, ClusterState, createBroker, EventDispatcher, EventReceiver } from "../../../src/celery/index";
import { type PeerConfig, type PythonWorker, runPython, startPythonWorker } from "../../support/python-celery";
import { AMQP_URL, describeWith, REDIS_URL, type Service, uniqueName } from "../../support/services";

const brokers: [Service, string][] = [
  ["redis", REDIS_URL],
  ["rabbitmq", AMQP_URL],
];

async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const [service, brokerUrl] of brokers) {
  await describeWith([service, "redis", "python-celery"], `events with Python Celery over ${service}`, () => {
    const queue = uniqueName("events");
    const peer: PeerConfig = { brokerUrl, backendUrl: REDIS_URL, queue };
    let broker: Broker;

    beforeAll(async () => {
      broker = createBroker(brokerUrl);
      await broker.connect();
    });

    afterAll(async () => {
      await broker?.deleteQueue(queue);
      await broker?.close();
    });

    it("our EventReceiver follows a Python worker: online, heartbeats, a task from sent to succeeded, offline", async () => {
      const all: CeleryEvent[] = [];
      const errors: Error[] = [];
      const receiver = new EventReceiver(broker, { onEvent: (event) => void all.push(event), onError: (error) => void errors.push(error) });
      // Other suites share this broker: look only at our worker and our task.
      const hostname = `peer-${queue}@localhost`;
      let taskId = "";
      const ours = () => all.filter((event) => event.hostname === hostname || ("uuid" in event && event.uuid === taskId));
      const seen = (type: string) => ours().some((event) => event.type === type);
      const state = () => {
        const cluster = new ClusterState();
        for (const event of ours()) cluster.event(event);
        return cluster;
      };
      let worker: PythonWorker | undefined;
      await receiver.start();
      try {
        worker = await startPythonWorker(peer);
        expect(worker.hostname).toBe(hostname);
        const sent = await runPython<{ id: string; result: number }>(peer, `r = add.delay(2, 3)\nprint(json.dumps({"id": r.id, "result": r.get(timeout=20)}))`);
        taskId = sent.id;
        expect(sent.result).toBe(5);
        await waitFor("task-succeeded and a heartbeat", () => seen("task-succeeded") && seen("worker-heartbeat"));
        expect(["worker-online", "task-sent", "task-received", "task-started", "task-succeeded"].filter((type) => !seen(type))).toEqual([]);
        expect(state().task(taskId)).toMatchObject({ state: "SUCCESS", name: "seedflow.add", args: "(2, 3)", result: "5", worker: hostname, client: expect.stringMatching(/^gen\d+@/) });
        expect(state().isAlive(hostname)).toBe(true);
        expect(state().worker(hostname)).toMatchObject({ freq: 2, sw_ident: "py-celery", sw_ver: "5.2.6" });
        await worker.stop();
        await waitFor("worker-offline", () => seen("worker-offline"));
        expect(state().isAlive(hostname)).toBe(false);
        expect(errors).toEqual([]);
      } finally {
        await worker?.stop();
        await receiver.stop();
      }
    }, 60_000);

    it("Python's Receiver and State accept our events, task.multi batches included, as Flower would", async () => {
      const workerName = `ts-${queue}@localhost`;
      const clientName = `gen${process.pid}-${queue}@localhost`;
      const taskId = randomUUID();
      const python = runPython<{ types: string[]; task: Record<string, unknown>; worker: Record<string, unknown> }>(
        peer,
        `
import socket
from celery.events.state import State

state = State()
types = set()
HOST, CLIENT, TID = ${JSON.stringify(workerName)}, ${JSON.stringify(clientName)}, ${JSON.stringify(taskId)}

def on_event(event):
    if event.get("hostname") not in (HOST, CLIENT):
        return
    state.event(event)
    types.add(event["type"])
    task, worker = state.tasks.get(TID), state.workers.get(HOST)
    if task is not None and task.state == "SUCCESS" and task.client and worker is not None and worker.alive and "worker-heartbeat" in types:
        receiver.should_stop = True

with app.connection() as conn:
    receiver = app.events.Receiver(conn, handlers={"*": on_event})
    try:
        receiver.capture(limit=None, timeout=20, wakeup=False)
    except socket.timeout:
        pass

task, worker = state.tasks.get(TID), state.workers.get(HOST)
print(json.dumps({
    "types": sorted(types),
    "task": {} if task is None else {k: getattr(task, k) for k in ("state", "name", "args", "kwargs", "result", "runtime", "client", "root_id", "parent_id", "retries", "received", "started", "succeeded")} | {"worker": task.worker and task.worker.hostname},
    "worker": {} if worker is None else {"alive": worker.alive, "freq": worker.freq, "sw_ident": worker.sw_ident, "active": worker.active, "processed": worker.processed},
}))
`,
        40_000,
      );
      let finished = false;
      void python.finally(() => (finished = true)).catch(() => undefined);
      const client = new EventDispatcher(broker, { hostname: clientName });
      const worker = new EventDispatcher(broker, { hostname: workerName, buffer: true });
      const workerFields = { freq: 2, active: 0, processed: 1, loadavg: [0.1, 0.2, 0.3], sw_ident: "celeriac", sw_ver: "0.1.0", sw_sys: "Linux" };
      // Python's receiver drops what is published before its queue exists, so keep repeating the
      // story (duplicates are harmless to State) until it has seen all of it.
      while (!finished) {
        await worker.send("worker-online", workerFields);
        await client.send("task-sent", { uuid: taskId, root_id: taskId, parent_id: null, name: "seedflow.add", args: "(2, 3)", kwargs: "{}", retries: 0, eta: null, expires: null, queue, exchange: "", routing_key: queue });
        await Promise.all([
          worker.send("task-received", { uuid: taskId, name: "seedflow.add", args: "(2, 3)", kwargs: "{}", root_id: taskId, parent_id: null, retries: 0, eta: null, expires: null }),
          worker.send("task-started", { uuid: taskId }),
          worker.send("task-succeeded", { uuid: taskId, result: "5", runtime: 0.0042 }),
        ]);
        await worker.send("worker-heartbeat", workerFields);
        await sleep(300);
      }
      const seen = await python;
      expect(seen.types).toEqual(["task-received", "task-sent", "task-started", "task-succeeded", "worker-heartbeat", "worker-online"]);
      expect(seen.task).toMatchObject({ state: "SUCCESS", name: "seedflow.add", args: "(2, 3)", result: "5", runtime: 0.0042, client: clientName, worker: workerName, root_id: taskId, parent_id: null, retries: 0 });
      expect([seen.task.received, seen.task.started, seen.task.succeeded].every((t) => typeof t === "number")).toBe(true);
      expect(seen.worker).toEqual({ alive: true, freq: 2, sw_ident: "celeriac", active: 0, processed: 1 });
    }, 60_000);
  });
}
