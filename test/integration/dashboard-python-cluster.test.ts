// The dashboard pointed at a real cluster with the documented environment variables only: a
// Python Celery 5.2 worker (capture installed) on Redis runs the demo producer's workflows, and
// the dashboard's in-process ingestion shows the worker, the tasks' final states and the login
// workflow's true shape.

import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { dashboardClient } from "../server/http/dashboard-client";
import { type DashboardProcess, startDashboardProcess } from "../support/dashboard-process";
import { type PythonWorker, startPythonWorker } from "../support/python-celery";
import { PYTHON, REDIS_URL, describeWith, uniqueName } from "../support/services";

const queue = uniqueName("cluster");
const captureQueue = `${queue}.capture`;
const password = "cluster test password";
let worker: PythonWorker;
let dashboard: DashboardProcess;
let dataDir: string;

await describeWith(["redis", "python-celery"], "dashboard on a Python Celery cluster (Redis)", () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "celeriac-cluster-"));
    process.env.CAPTURE_QUEUE = captureQueue;
    worker = await startPythonWorker({ brokerUrl: REDIS_URL, backendUrl: REDIS_URL, queue, appModule: "capture_peer" });
    dashboard = await startDashboardProcess(
      {
        CELERY_BROKER_URL: REDIS_URL,
        CELERY_RESULT_BACKEND: REDIS_URL,
        DATABASE_URL: `pglite:${join(dataDir, "db")}`,
        CELERIAC_CAPTURE_QUEUE: captureQueue,
        CELERIAC_QUEUES: queue,
        CELERIAC_ADMIN_USER: "ops",
        CELERIAC_ADMIN_PASSWORD: password,
      },
      ["--no-pages"],
    );
  }, 90_000);

  afterAll(async () => {
    await dashboard?.stop();
    await worker?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("shows the Python worker, every demo task in its final state, and the login workflow's shape", async () => {
    const { stdout } = await promisify(execFile)(PYTHON, ["demo_producer.py", "--rounds", "1"], {
      cwd: join(import.meta.dirname, "..", "python"),
      env: { ...process.env, PEER_BROKER_URL: REDIS_URL, PEER_RESULT_BACKEND: REDIS_URL, PEER_QUEUE: queue, CAPTURE_QUEUE: captureQueue },
    });
    const sent = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as { login: string; chord: string; fail: string; retry: string };

    const { client } = dashboardClient(dashboard.baseUrl);
    await client.auth.login.mutate({ name: "ops", password });
    const settled = async () => {
      const [login, chordBody, failed, retried] = await Promise.all([sent.login, sent.chord, sent.fail, sent.retry].map((id) => client.history.task.query({ id }).catch(() => null)));
      return login?.task.state === "SUCCESS" && chordBody?.task.state === "SUCCESS" && failed?.task.state === "FAILURE" && retried?.task.state === "SUCCESS" ? { login, chordBody, failed, retried } : null;
    };
    // Through the Python worker (two processes), its events and the dashboard's ingestion, on a
    // machine shared with the rest of the suite: give it a deadline, not a number of tries.
    let final = await settled();
    for (const deadline = Date.now() + 45_000; !final && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      final = await settled();
    }
    expect(final, dashboard.output()).not.toBeNull();
    expect(final?.failed?.task.exception).toContain("demo failure 0");
    expect(final?.retried?.task.retries).toBe(2);

    // Pool size and queues come from the dashboard's inspect round (at start, then every 30 s);
    // alive and the software from the worker's heartbeats (every 2 s): wait for both.
    const pythonWorker = async () => (await client.history.workers.query()).find((w) => w.hostname === worker.hostname);
    const shown = async () => {
      const row = await pythonWorker();
      return row?.alive === true && row.poolSize !== undefined;
    };
    for (const deadline = Date.now() + 40_000; !(await shown()) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await pythonWorker(), dashboard.output()).toMatchObject({ alive: true, swIdent: "py-celery", poolSize: 2, queues: [queue] });

    // check_device → group{notify_user, save_event} (chord header) → post_to_api → post_process
    const rootId = final?.login?.task.rootId as string;
    // Only the last step (post_process) was waited for: check_device and post_to_api store and
    // announce their own SUCCESS after applying the next step, so their events may still be on the
    // way; and the chord header's shape comes through the capture queue, apart from the events.
    let workflow = await client.history.workflow.query({ rootId });
    const complete = (w: typeof workflow) => {
      const postToApi = w.nodes.find((node) => node.name === "seedflow.post_to_api");
      return w.nodes.length === 5 && w.nodes.every((node) => node.state === "SUCCESS") && w.groups.some((group) => group.chordBodyId === postToApi?.id);
    };
    for (const deadline = Date.now() + 20_000; !complete(workflow) && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      workflow = await client.history.workflow.query({ rootId });
    }
    const byName = new Map(workflow.nodes.map((node) => [node.name, node]));
    expect([...byName.keys()].sort()).toEqual(["seedflow.check_device", "seedflow.notify_user", "seedflow.post_process", "seedflow.post_to_api", "seedflow.save_event"]);
    expect(workflow.nodes.map((node) => [node.name, node.state]).filter(([, state]) => state !== "SUCCESS")).toEqual([]);
    const header = workflow.groups.find((group) => group.chordBodyId === byName.get("seedflow.post_to_api")?.id);
    expect(header?.size).toBe(2);
    const members = workflow.nodes.filter((node) => node.groupId === header?.id).map((node) => node.name).sort();
    expect(members).toEqual(["seedflow.notify_user", "seedflow.save_event"]);
    const chainEdges = workflow.edges.filter((edge) => edge.kind === "chain").map((edge) => `${edge.fromId}->${edge.toId}`);
    expect(chainEdges).toContain(`${byName.get("seedflow.check_device")?.id}->${header?.id}`);
    expect(chainEdges).toContain(`${byName.get("seedflow.post_to_api")?.id}->${byName.get("seedflow.post_process")?.id}`);
  }, 150_000);
});
