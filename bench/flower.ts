// Celeriac beside Flower 2.x: each is flooded with the same task events over RabbitMQ at several
// rates for a fixed time, one after the other on the same machine, and for each run the benchmark
// prints events kept vs sent, how long after the flood it took to catch up, CPU per event, peak RSS
// and the latency of a task-list request made every second during the flood. An idle phase first
// gives each one's resting memory after serving its pages.
//
// Usage: FLOWER_SRC=/path/to/flower-2.0.1 npx tsx bench/flower.ts [--rates 6000,16000,25000,40000] [--seconds 20] [--runs 3]
//
// Flower is not a registry package: FLOWER_SRC names a checkout of its source (outside this
// repository), run on Debian's Python with python3-tornado, python3-prometheus-client,
// python3-humanize and python3-tz. Without it, the peer is Celery's own State fed by a Receiver, as
// Flower feeds it (bench/python/flower_core_peer.py), behind the same two requests.
// Celeriac runs as `celeriac dashboard` with its in-process ingestion into PostgreSQL.

import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { createBroker } from "../src/celery/index";
import { dashboardClient } from "../test/server/http/dashboard-client";
import { freePort, startDashboardProcess } from "../test/support/dashboard-process";
import { floodEvents } from "./event-generator";
import { BENCH_AMQP_URL, cpuSeconds, ensureBenchVhost, listeningPid, rssMb } from "./process-stats";
import { formatRuns, type Runs, summarize } from "./repeat";

const { values: args } = parseArgs({
  options: {
    rates: { type: "string", default: "6000,16000,25000,40000" },
    seconds: { type: "string", default: "20" },
    runs: { type: "string", default: "3" },
    idle: { type: "string", default: "30" },
  },
  allowPositionals: true,
});
const AMQP_URL = BENCH_AMQP_URL;
const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const FLOWER_SRC = process.env.FLOWER_SRC;
const PYTHON = "/usr/bin/python3";
const ADMIN = { name: "bench", password: `bench-${randomUUID()}` };
/** After the flood, how long a contender gets to catch up before what it has is counted. */
const CATCH_UP_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ── the contenders ──

interface Running {
  pid: number;
  /** Events the contender has taken in so far. */
  kept(): Promise<number>;
  /** One task-list request, as its own page makes it; resolves with milliseconds. */
  listTasks(): Promise<number>;
  /** Loads its pages once, as an operator opening it would. */
  openPages(): Promise<void>;
  stop(): Promise<void>;
}

interface Contender {
  label: string;
  start(): Promise<Running>;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const celeriac: Contender = {
  label: "Celeriac dashboard (in-process ingest → PostgreSQL)",
  async start() {
    const schema = `bench_flood_${process.pid}_${Date.now()}`;
    const database = `${POSTGRES_URL}?schema=${schema}`;
    const dashboard = await startDashboardProcess({
      CELERY_BROKER_URL: AMQP_URL,
      DATABASE_URL: database,
      CELERIAC_ADMIN_USER: ADMIN.name,
      CELERIAC_ADMIN_PASSWORD: ADMIN.password,
    }, [], { readyTimeoutMs: 300_000 });
    const { client } = dashboardClient(dashboard.baseUrl);
    await client.auth.login.mutate(ADMIN);
    const db = new pg.Client({ connectionString: POSTGRES_URL });
    await db.connect();
    return {
      pid: listeningPid(new URL(dashboard.baseUrl).port),
      async kept() {
        const { rows } = await db.query<{ n: string }>(`SELECT COALESCE(sum(jsonb_array_length(events)), 0)::text AS n FROM "${schema}".task`);
        return Number(rows[0]?.n ?? 0);
      },
      listTasks: () => timed(() => client.history.tasks.query({})),
      async openPages() {
        for (const page of ["/login", "/", "/tasks", "/workers"]) await (await fetch(`${dashboard.baseUrl}${page}`)).text();
      },
      async stop() {
        await dashboard.stop();
        // Its durable event queue would keep collecting the next contender's flood.
        const broker = createBroker(AMQP_URL);
        await broker.connect();
        await broker.deleteQueue("celeriac.events");
        await broker.close();
        await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await db.end();
      },
    };
  },
};

async function startPython(argv: string[], env: Record<string, string>, ready: (log: string) => boolean): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(PYTHON, argv, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let log = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${argv.join(" ")} was not ready in 60 s:\n${log}`)), 60_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (ready(log)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${argv.join(" ")} exited with ${code}:\n${log}`)));
  });
  return {
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Flower from FLOWER_SRC, or Flower's core (State fed by a Receiver) when there is no source. */
const flower: Contender = {
  label: FLOWER_SRC ? "Flower 2.0.1 (memory only)" : "Celery State + Receiver, Flower's core (FLOWER_SRC unset)",
  async start() {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const argv = FLOWER_SRC
      ? ["-m", "flower", `--broker=${AMQP_URL}`, "flower", `--port=${port}`, "--address=127.0.0.1"]
      : ["bench/python/flower_core_peer.py", AMQP_URL, String(port)];
    const python = await startPython(argv, { PYTHONPATH: FLOWER_SRC ?? "", FLOWER_UNAUTHENTICATED_API: "true" }, (log) => log.includes("Visit me at"));
    // It subscribes to events once its loop runs: wait until it answers.
    for (let i = 0; i < 100 && !(await fetch(`${base}/metrics`).then((r) => r.ok, () => false)); i++) await sleep(100);
    return {
      pid: python.child.pid!,
      async kept() {
        const metrics = await (await fetch(`${base}/metrics`)).text();
        let total = 0;
        for (const line of metrics.split("\n")) if (line.startsWith("flower_events_total{")) total += Number(line.split(" ").pop());
        return total;
      },
      listTasks: () => timed(async () => (await fetch(`${base}/api/tasks?limit=20`)).json()),
      async openPages() {
        for (const page of ["/", "/tasks", "/workers", "/broker"]) await (await fetch(`${base}${page}`)).text();
      },
      stop: () => python.stop(),
    };
  },
};

// ── one flood ──

interface FloodResult {
  sent: number;
  kept: number;
  lagSeconds: number;
  cpuUsPerEvent: number;
  peakRssMb: number;
  latency: Runs;
}

async function flood(running: Running, rate: number, seconds: number): Promise<FloodResult> {
  const before = await running.kept();
  const cpuBefore = cpuSeconds(running.pid);
  let peakRssMb = rssMb(running.pid);
  const latencies: number[] = [];
  let flooding = true;
  const sampler = (async () => {
    while (flooding) {
      const tick = sleep(1000);
      latencies.push(await running.listTasks());
      peakRssMb = Math.max(peakRssMb, rssMb(running.pid));
      await tick;
    }
  })();
  const generated = await floodEvents(AMQP_URL, rate, seconds);
  const ended = performance.now();
  let kept = (await running.kept()) - before;
  while (kept < generated.sent && performance.now() - ended < CATCH_UP_MS) {
    await sleep(250);
    kept = (await running.kept()) - before;
  }
  const lagSeconds = (performance.now() - ended) / 1000;
  flooding = false;
  await sampler;
  return {
    sent: generated.sent,
    kept,
    lagSeconds,
    cpuUsPerEvent: ((cpuSeconds(running.pid) - cpuBefore) / Math.max(kept, 1)) * 1e6,
    peakRssMb,
    latency: summarize(latencies.length > 0 ? latencies : [NaN]),
  };
}

async function idleRss(contender: Contender, idleSeconds: number): Promise<number> {
  const running = await contender.start();
  await running.openPages();
  await sleep(idleSeconds * 1000);
  const rss = rssMb(running.pid);
  await running.stop();
  return rss;
}

async function main(): Promise<void> {
  if (!FLOWER_SRC) console.error("FLOWER_SRC is not set: comparing with Flower's core (Celery's State fed by a Receiver) instead of Flower itself.");
  const rates = args.rates.split(",").map(Number);
  const seconds = Number(args.seconds);
  const runs = Number(args.runs);
  const idle = Number(args.idle);
  ensureBenchVhost();
  const contenders = [flower, celeriac];

  const idleRows: string[] = [];
  for (const contender of contenders) {
    const values: number[] = [];
    for (let run = 1; run <= runs; run++) {
      if (process.stderr.isTTY) process.stderr.write(`\ridle: ${contender.label}, run ${run}/${runs}…`.padEnd(90));
      values.push(await idleRss(contender, idle));
    }
    idleRows.push(`| ${contender.label} | ${formatRuns(summarize(values))} |`);
  }

  const floodRows: string[] = [];
  for (const rate of rates) {
    for (const contender of contenders) {
      const results: FloodResult[] = [];
      for (let run = 1; run <= runs; run++) {
        if (process.stderr.isTTY) process.stderr.write(`\rflood ${rate}/s: ${contender.label}, run ${run}/${runs}…`.padEnd(90));
        const running = await contender.start();
        try {
          results.push(await flood(running, rate, seconds));
        } finally {
          await running.stop();
        }
      }
      const pick = (field: keyof Omit<FloodResult, "latency">) => summarize(results.map((result) => result[field]));
      const latencyP50 = summarize(results.map((result) => result.latency.median));
      const latencyMax = summarize(results.map((result) => result.latency.max));
      floodRows.push(
        `| ${rate.toLocaleString("en-US")} | ${contender.label} | ${formatRuns(pick("kept"))} of ${formatRuns(pick("sent"))} | ${formatRuns(pick("lagSeconds"), 1)} | ${formatRuns(pick("cpuUsPerEvent"), 1)} | ${formatRuns(pick("peakRssMb"))} | ${formatRuns(latencyP50, 1)} / ${formatRuns(latencyMax, 1)} |`,
      );
    }
  }
  if (process.stderr.isTTY) process.stderr.write("\n");
  console.log(`Idle RSS after opening the pages and ${idle} s at rest, MB, median (range) of ${runs} run(s)`);
  console.log("| contender | RSS MB |");
  console.log("|---|---|");
  for (const row of idleRows) console.log(row);
  console.log();
  console.log(`Flood of task events over RabbitMQ for ${seconds} s, median (range) of ${runs} run(s); lag = time after the flood until every event was kept (capped at ${CATCH_UP_MS / 1000} s)`);
  console.log("| events/s | contender | events kept of sent | lag s | CPU µs/event | peak RSS MB | task list request ms, p50 / max |");
  console.log("|---|---|---|---|---|---|---|");
  for (const row of floodRows) console.log(row);
}

await main();
