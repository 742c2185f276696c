// `celeriac ingest` as docker-compose runs it: its own process, configured by environment, on
// RabbitMQ with a capturing Python Celery worker and the demo producer, into PostgreSQL.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openStore, type Store } from "../../src/server/store/index";
import { type PythonWorker, startPythonWorker } from "../support/python-celery";
import { AMQP_URL, POSTGRES_URL, PYTHON, REDIS_URL, describeWith, uniqueName } from "../support/services";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const queue = uniqueName("ingest-cmd");
const captureQueue = `${queue}.capture`;
const schema = queue.replaceAll("-", "_");
const databaseUrl = `${POSTGRES_URL}?schema=${schema}`;
let worker: PythonWorker;
let ingest: ChildProcess;
let output = "";
let store: Store;

await describeWith(["rabbitmq", "redis", "postgres", "python-celery"], "celeriac ingest (RabbitMQ → PostgreSQL)", () => {
  beforeAll(async () => {
    process.env.CAPTURE_QUEUE = captureQueue;
    worker = await startPythonWorker({ brokerUrl: AMQP_URL, backendUrl: REDIS_URL, queue, appModule: "capture_peer" });
    ingest = spawn(process.execPath, ["bin/celeriac.js", "ingest", "--stats-every", "1", "--json"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        NODE_ENV: "production",
        CELERY_BROKER_URL: AMQP_URL,
        CELERY_RESULT_BACKEND: REDIS_URL,
        DATABASE_URL: databaseUrl,
        CELERIAC_EVENTS_QUEUE: `${queue}.events`,
        CELERIAC_CAPTURE_QUEUE: captureQueue,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    ingest.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    ingest.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    for (let i = 0; i < 120 && !output.includes('"events"'); i++) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(output, "ingest printed no progress line").toContain('"events"');
    store = await openStore(databaseUrl);
  }, 90_000);

  afterAll(async () => {
    ingest?.kill("SIGTERM");
    await worker?.stop();
    await store?.close();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it("writes every demo task with its final state, and prints JSON progress", async () => {
    const { stdout } = await promisify(execFile)(PYTHON, ["demo_producer.py", "--rounds", "1"], {
      cwd: join(ROOT, "test", "python"),
      env: { ...process.env, PEER_BROKER_URL: AMQP_URL, PEER_RESULT_BACKEND: REDIS_URL, PEER_QUEUE: queue, CAPTURE_QUEUE: captureQueue },
    });
    const sent = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Record<"login" | "chord" | "fail" | "retry", string>;
    const expected = { login: "SUCCESS", chord: "SUCCESS", fail: "FAILURE", retry: "SUCCESS" } as const;
    const states = async () => Object.fromEntries(await Promise.all(Object.keys(expected).map(async (key) => [key, (await store.getTask(sent[key as keyof typeof sent]))?.state])));
    let seen = await states();
    for (const deadline = Date.now() + 45_000; JSON.stringify(seen) !== JSON.stringify(expected) && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      seen = await states();
    }
    expect(seen, output).toEqual(expected);
    const login = await store.getTask(sent.login);
    // The captured message gave the real JSON args, not the events' repr. Capture records come
    // through their own queue, so they need not have been applied when the events were.
    let root = await store.getTask(login?.rootId as string);
    for (const deadline = Date.now() + 20_000; !root?.argsJson && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      root = await store.getTask(login?.rootId as string);
    }
    expect(root?.name).toBe("seedflow.check_device");
    expect(JSON.parse(root?.argsJson ?? "null")).toEqual(["u1", "pixel-0"]);
    const workflow = await store.getWorkflow(login?.rootId as string);
    expect(workflow.nodes).toHaveLength(5);
    // The progress line is printed once a second: the one after these writes may not be out yet.
    const progress = () => output.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as { events: { received: number; written: number } });
    for (const deadline = Date.now() + 10_000; (progress().at(-1)?.events.written ?? 0) === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(progress().at(-1)?.events.written).toBeGreaterThan(0);
  }, 120_000);
});
