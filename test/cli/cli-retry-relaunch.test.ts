// `celeriac retry` and `relaunch` on a real cluster: Redis, a Python Celery 5.2.6 worker that
// captures what it sends, and the dashboard's ingestion (in this process) writing the history
// into a PostgreSQL schema the CLI reads as DATABASE_URL. The login workflow fails at
// post_to_api; the CLI retries it (the chain resumes), retries the failed steps of a workflow,
// and relaunches a whole one under new ids; each action is in the audit log as cli:<os user>.

import { userInfo } from "node:os";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { chain, FAILURE, group, SUCCESS } from "../../src/celery/index";
import { loadServerConfig } from "../../src/server/config/server-config";
import { createLogger } from "../../src/server/runtime/logger";
import type { Runtime } from "../../src/server/runtime/runtime";
import { startRuntime } from "../../src/server/runtime/start-runtime";
import { type PythonWorker, startPythonWorker } from "../support/python-celery";
import { describeWith, POSTGRES_URL, REDIS_URL, uniqueName } from "../support/services";
import { runCli } from "./run-cli";

// A Redis database of its own, so other suites' events do not flow into this history.
const URL = REDIS_URL.replace(/\/\d*$/, "/12");
const ACTOR = `cli:${userInfo().username}`;

await describeWith(["redis", "postgres", "python-celery"], "celeriac retry and relaunch with a capturing Python Celery 5.2.6 worker", () => {
  const queue = uniqueName("cli-retry");
  const schema = queue.replace(/-/g, "_");
  const apiSwitch = `${queue}-api-up`;
  const databaseUrl = (() => {
    const url = new globalThis.URL(POSTGRES_URL);
    url.searchParams.set("schema", schema);
    return url.toString();
  })();
  const env = { CELERY_BROKER_URL: URL, CELERY_RESULT_BACKEND: URL, DATABASE_URL: databaseUrl };
  const cli = (...args: string[]) => runCli(args, { env, timeoutMs: 120_000 });
  let runtime: Runtime;
  let worker: PythonWorker;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(URL);
    const config = loadServerConfig({
      ...env,
      CELERIAC_CAPTURE_QUEUE: `${queue}.capture`,
      CELERIAC_EVENTS_QUEUE: `${queue}.events`,
      CELERIAC_QUEUES: queue,
    });
    runtime = await startRuntime({ config, log: createLogger("silent"), ingest: true, demo: false });
    process.env.PEER_API_SWITCH = apiSwitch;
    worker = await startPythonWorker({ brokerUrl: URL, backendUrl: URL, queue, appModule: "capture_peer" });
  }, 90_000);

  afterAll(async () => {
    await worker?.stop();
    await runtime?.close();
    await redis?.del(apiSwitch);
    redis?.disconnect();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${worker.output().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const task = (name: string) => runtime.app.task(name, { queue });
  // Celery 5.2 marks the rest of a failed chain FAILURE too: a retried chain is done once it reads SUCCESS.
  const succeeded = (id: string) => until(`${id} to succeed`, async () => ((await runtime.app.backend.getTaskMeta(id)).status === SUCCESS ? true : undefined));
  const nodeNamed = async (rootId: string, name: string) => (await runtime.store.getWorkflow(rootId)).nodes.find((node) => node.name === name);

  /** Sends the login workflow with the API down; resolves once the history shows post_to_api FAILURE. */
  async function failedLogin() {
    await redis.del(apiSwitch);
    const result = await chain(task("seedflow.check_device").s("u1", "pixel-9"), group(task("seedflow.notify_user").s(), task("seedflow.save_event").s()), task("seedflow.post_to_api").s(), task("seedflow.post_process").s()).applyAsync();
    const rootId = await until("the captured plan", async () => (await runtime.store.getTask(result.id))?.rootId);
    const postToApi = await until("post_to_api to fail", async () => {
      const node = await nodeNamed(rootId, "seedflow.post_to_api");
      return node?.state === FAILURE ? node : undefined;
    });
    // The worker's own message for post_to_api (the chord body, with the chain's rest) travels
    // through the capture queue, which may trail the events: a retry needs it, not the plan.
    await until("post_to_api's captured message", async () => ((await runtime.store.getTask(postToApi.id))?.messageJson?.includes('"headers"') ? true : undefined));
    return { rootId, postToApiId: postToApi.id, postProcessId: result.id };
  }

  it("retry --dry-run shows the plan; retry sends it, the chain resumes to post_process SUCCESS, and the audit log names the CLI", async () => {
    const { postToApiId, postProcessId } = await failedLogin();
    const dry = await cli("retry", postToApiId, "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`→ Planning the retry of ${postToApiId} from the history in postgresql://`);
    expect(dry.stderr).toContain(`→ seedflow.post_to_api ${postToApiId} is FAILURE; re-sending its captured message to ${queue} as ${postToApiId} (retries 1)`);
    expect(dry.stdout).toBe(`Dry run: nothing sent. Run again without --dry-run to retry ${postToApiId}.\n`);
    expect((await runtime.store.getTask(postToApiId))!.state).toBe(FAILURE);

    await redis.set(apiSwitch, "1");
    const retried = await cli("retry", postToApiId, "--reason", "API is back", "--json");
    expect(retried.code, retried.stderr).toBe(0);
    const output = JSON.parse(retried.stdout);
    expect(output).toMatchObject({ taskId: postToApiId, sentId: postToApiId, chordGroupId: null, auditId: expect.any(String) });

    await succeeded(postProcessId);
    const done = await cli("result", postProcessId, "--json");
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ state: SUCCESS, result: { done: true, score: 2 } });
    const [entry] = await runtime.store.listAudit({ limit: 1, action: "task.retry" });
    expect(entry).toMatchObject({ id: output.auditId, actor: ACTOR, role: "admin", target: postToApiId, reason: "API is back", outcome: "ok", clientAddress: "cli", input: { taskId: postToApiId } });
  }, 150_000);

  it("relaunch --failed-only retries the failed step, printing each step; relaunch runs the whole workflow again under new ids", async () => {
    const { rootId, postToApiId, postProcessId } = await failedLogin();
    await redis.set(apiSwitch, "1");
    const failedOnly = await cli("relaunch", rootId, "--failed-only");
    expect(failedOnly.code, failedOnly.stderr).toBe(0);
    const steps = failedOnly.stderr.split("\n").filter((line) => line.startsWith("→ "));
    expect(steps).toEqual([
      expect.stringMatching(new RegExp(`^→ Reading workflow ${rootId} from the history in postgresql://`)),
      `→ Retrying failed step seedflow.post_to_api ${postToApiId} (FAILURE)`,
      "→ Sending",
      `→ Sent 1 message(s): ${postToApiId}`,
    ]);
    expect(failedOnly.stdout).toMatch(new RegExp(`^Retried the failed steps of ${rootId}; audit entry \\d+\\.\n$`));
    await succeeded(postProcessId);

    const all = await cli("relaunch", rootId, "--json");
    expect(all.code, all.stderr).toBe(0);
    const relaunched = JSON.parse(all.stdout);
    expect(all.stderr).toContain(`→ Relaunching the whole workflow under new ids: seedflow.check_device to ${queue}, then 1 step(s) after it\n`);
    expect(all.stderr).toContain(`→ Sent 1 message(s): ${relaunched.newRootId} (the new root)\n`);
    expect(relaunched).toMatchObject({ rootId, mode: "all", newRootId: expect.any(String), sentIds: [relaunched.newRootId] });
    expect(relaunched.newRootId).not.toBe(rootId);
    const newPostProcess = await until("the relaunched post_process to succeed", async () => {
      const node = await nodeNamed(relaunched.newRootId, "seedflow.post_process");
      return node?.state === SUCCESS ? node : undefined;
    });
    expect(newPostProcess.id).not.toBe(postProcessId);
    const audit = await runtime.store.listAudit({ limit: 2, action: "workflow.relaunch" });
    expect(audit.map((entry) => [entry.actor, entry.target, entry.outcome, (entry.input as { mode: string }).mode])).toEqual([
      [ACTOR, rootId, "ok", "all"],
      [ACTOR, rootId, "ok", "failedOnly"],
    ]);
  }, 200_000);

  it("says so when the task is not in the history (exit 1) and names the store it looked in", async () => {
    const missing = await cli("retry", "00000000-0000-4000-8000-000000000000");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`from the history in postgresql://postgres@127.0.0.1:5432/test?schema=${schema}`);
    expect(missing.stderr).toMatch(/\nError: No task 00000000-0000-4000-8000-000000000000 in the history: it may be older than the retention period, or was never seen\.\n$/);
  }, 60_000);
});
