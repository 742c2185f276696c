// Python Celery 5.2 produces, OUR worker (the celeriac CLI, a child process) executes: results read
// by Python's AsyncResult; a mixed login workflow and chord across a Python worker and ours;
// remote control from `celery inspect/control`; kill -9 with acksLate loses nothing.

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type PeerConfig, type PythonWorker, runPython, startPythonWorker } from "../support/python-celery";
import { AMQP_URL, PYTHON, REDIS_URL, type Service, describeWith, uniqueName } from "../support/services";
import { type TsWorker, startTsWorker } from "../support/ts-worker-process";

const PEER_DIR = fileURLToPath(new URL("../python/", import.meta.url));

function celeryCli(config: PeerConfig, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ["-m", "celery", "-A", "peer", ...args], { cwd: PEER_DIR, env: { ...process.env, PYTHONPATH: PEER_DIR, PEER_BROKER_URL: config.brokerUrl, PEER_RESULT_BACKEND: config.backendUrl, PEER_QUEUE: config.queue }, timeout: 30_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`celery ${args.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
    );
  });
}

const brokers: [Service, string][] = [
  ["redis", REDIS_URL],
  ["rabbitmq", AMQP_URL],
];

for (const [service, brokerUrl] of brokers) {
  await describeWith([service, "redis", "python-celery"], `a Python Celery producer with the TypeScript worker over ${service}`, () => {
    const tsQueue = uniqueName("ts-worker");
    const pyQueue = uniqueName("py-worker");
    const hostname = `${tsQueue}@test`;
    const producer: PeerConfig = { brokerUrl, backendUrl: REDIS_URL, queue: tsQueue };
    let tsWorker: TsWorker;
    let pyWorker: PythonWorker;

    beforeAll(async () => {
      [tsWorker, pyWorker] = await Promise.all([startTsWorker(brokerUrl, tsQueue, hostname), startPythonWorker({ brokerUrl, backendUrl: REDIS_URL, queue: pyQueue })]);
    }, 60_000);

    afterAll(async () => {
      await tsWorker?.stop();
      await pyWorker?.stop();
    });

    it("runs a task and a chain; Python's AsyncResult reads values, parents and children", async () => {
      const out = await runPython<{ single: number; chain: number; parent: number; root: number; children: string[]; meta: Record<string, unknown> }>(
        producer,
        `r = add.delay(2, 3)
single = r.get(timeout=20)
c = chain(add.s(2, 2), add.s(4), add.s(8)).apply_async()
value = c.get(timeout=20)
first = c.parent.parent
meta = app.backend.get_task_meta(r.id)
# Each step stores its own result after sending the next one: wait for the earlier ones too.
print(json.dumps({"single": single, "chain": value, "parent": c.parent.get(timeout=20), "root": first.get(timeout=20),
  "children": [ch.id for ch in first.children], "meta": {k: meta.get(k) for k in ("status", "name", "args", "worker", "queue", "retries")}}))`,
        60_000,
      );
      expect(out.single).toBe(5);
      expect(out.chain).toBe(16);
      expect(out.parent).toBe(8);
      expect(out.root).toBe(4);
      expect(out.children).toHaveLength(1);
      expect(out.meta).toEqual({ status: "SUCCESS", name: "seedflow.add", args: [2, 3], worker: hostname, queue: tsQueue, retries: 0 });
    }, 90_000);

    it("runs a group and a chord sent by Python", async () => {
      const out = await runPython<{ group: number[]; chord: number }>(
        producer,
        `from celery import chord
g = group(add.s(i, i) for i in range(4)).apply_async()
ch = chord([add.s(i, 1) for i in range(5)], tsum.s()).apply_async()
print(json.dumps({"group": g.get(timeout=20), "chord": ch.get(timeout=20)}))`,
        60_000,
      );
      expect(out.group).toEqual([0, 2, 4, 6]);
      expect(out.chord).toBe(15);
    }, 90_000);

    it("completes the login workflow split between a Python worker and ours", async () => {
      const out = await runPython<{ result: unknown; workers: Record<string, string> }>(
        producer,
        `wf = chain(
  check_device.s("u1", "pixel-9").set(queue=${JSON.stringify(pyQueue)}),
  group(notify_user.s().set(queue=${JSON.stringify(tsQueue)}), save_event.s().set(queue=${JSON.stringify(tsQueue)})),
  post_to_api.s().set(queue=${JSON.stringify(tsQueue)}),
  post_process.s().set(queue=${JSON.stringify(pyQueue)}),
)
r = wf.apply_async()
value = r.get(timeout=30)
# As in Celery, a step publishes the next one before storing its own result: the last result can
# be ready while an earlier step's document is still on its way.
import time
workers, node = {}, r
while node is not None:
    for res in (node.results if hasattr(node, "results") else [node]):
        deadline = time.monotonic() + 20
        while True:
            meta = app.backend.get_task_meta(res.id)
            if "worker" in meta or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        workers[meta["name"]] = meta["worker"]
    node = node.parent
print(json.dumps({"result": value, "workers": workers}))`,
        60_000,
      );
      expect(out.result).toEqual({ done: true, score: 2 });
      expect(out.workers).toEqual({
        "seedflow.check_device": pyWorker.hostname,
        "seedflow.notify_user": hostname,
        "seedflow.save_event": hostname,
        "seedflow.post_to_api": hostname,
        "seedflow.post_process": pyWorker.hostname,
      });
    }, 90_000);

    it("fires a chord whose header runs partly on Python and partly on TypeScript exactly once, in order", async () => {
      const out = await runPython<{ value: number[] }>(
        producer,
        `from celery import chord
header = [add.s(i, 100).set(queue=${JSON.stringify(pyQueue)} if i % 2 else ${JSON.stringify(tsQueue)}) for i in range(6)]
r = chord(header, echo.s().set(queue=${JSON.stringify(pyQueue)})).apply_async()
print(json.dumps({"value": r.get(timeout=30)["args"][0]}))`,
        60_000,
      );
      expect(out.value).toEqual([100, 101, 102, 103, 104, 105]);
    }, 90_000);

    it("answers celery inspect ping and registered from Python", async () => {
      // Addressed to one node, the CLI returns on its reply: a window past Celery's 1 s default costs nothing.
      const ping = await celeryCli(producer, ["inspect", "ping", "-d", hostname, "-t", "5", "--json"]);
      expect(JSON.parse(ping)).toEqual({ [hostname]: { ok: "pong" } });
      const registered = JSON.parse(await celeryCli(producer, ["inspect", "registered", "-d", hostname, "-t", "5", "--json"])) as Record<string, string[]>;
      expect(registered[hostname]).toContain("seedflow.add");
    });

    it("terminates a running task on 'celery control terminate'", async () => {
      const id = await runPython<string>(producer, `print(json.dumps(app.send_task("seedflow.slow", [30], queue=${JSON.stringify(tsQueue)}).id))`);
      await runPython(producer, `import time\ndeadline = time.monotonic() + 20\nwhile time.monotonic() < deadline:\n    if app.backend.get_task_meta(${JSON.stringify(id)})["status"] == "STARTED" or (app.control.inspect(destination=[${JSON.stringify(hostname)}]).active() or {}).get(${JSON.stringify(hostname)}):\n        break\n    time.sleep(0.1)\nprint(1)`);
      const reply = await celeryCli(producer, ["control", "terminate", "SIGTERM", id, "-d", hostname, "-t", "5", "--json"]);
      expect(JSON.parse(reply)).toEqual([{ [hostname]: { ok: `terminate: ${id}` } }]);
      // Our worker answers the terminate at once and stores REVOKED right after (not before the reply).
      const state = await runPython<{ status: string; result: unknown }>(producer, `import time\ndeadline = time.monotonic() + 20\nwhile True:\n    m = app.backend.get_task_meta(${JSON.stringify(id)})\n    if m["status"] == "REVOKED" or time.monotonic() > deadline:\n        break\n    time.sleep(0.1)\nr = m["result"]\nprint(json.dumps({"status": m["status"], "result": "%s.%r" % (type(r).__module__, r)}))`);
      expect(state).toEqual({ status: "REVOKED", result: "celery.exceptions.TaskRevokedError('terminated')" });
    }, 90_000);

    // The worker runs with an 8 s visibility timeout: short enough for this test to see the
    // restore, longer than any stall of a loaded machine before the 30 s task above is terminated
    // (an acksLate task that outlives the visibility timeout is delivered again, as with kombu).
    it("loses no acksLate task when the worker is killed with SIGKILL and restarted", async () => {
      const ids = await runPython<string[]>(producer, `print(json.dumps([app.send_task("seedflow.slow", [1], queue=${JSON.stringify(tsQueue)}).id for _ in range(6)]))`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      tsWorker.child.kill("SIGKILL");
      await new Promise((resolve) => tsWorker.child.once("exit", resolve));
      tsWorker = await startTsWorker(brokerUrl, tsQueue, hostname);
      const values = await runPython<number[]>(producer, `from celery.result import AsyncResult\nprint(json.dumps([AsyncResult(i, app=app).get(timeout=30) for i in ${JSON.stringify(ids)}]))`, 60_000);
      expect(values).toEqual([1, 1, 1, 1, 1, 1]);
    }, 90_000);
  });
}
