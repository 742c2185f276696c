// Store benchmark (not a test): applyBatch throughput into PostgreSQL and PGlite with realistic
// batches, and getWorkflow on a 10,000-node workflow. The store's own ceiling; the end-to-end
// events/s figure is bench/ingest.ts.
// Usage: npm run bench:store -- [batches] [listRows]   (default 40 batches of 1000 observations
// per mode, and listTasks over 1,000,000 synthetic PostgreSQL rows; BENCH_DATABASE_URL overrides
// postgresql://postgres@127.0.0.1:5432/test, BENCH_BATCH the observations per batch; a throwaway
// schema is used and dropped)

import { readFileSync } from "node:fs";
import pg from "pg";
import type { IngestBatch, TaskObservation } from "../src/server/ingest/observation";
import { openStore, type Store } from "../src/server/store/index";

const BATCHES = Number(process.argv[2] ?? 40);
const OBSERVATIONS_PER_BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const EVENTS_PER_TASK = 5;
const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const WORKFLOW_NODES = 10_000;
const LIST_ROWS = Number(process.argv[3] ?? 1_000_000);

const STAGES = ["task-sent", "task-received", "task-started", "task-succeeded", "task-succeeded"] as const;

/** Observation `stage` (0..4) of task `id`, shaped as the event ingestor produces them. */
function observation(id: string, n: number, stage: number, t: number): TaskObservation {
  const type = STAGES[stage]!;
  const base = { id, source: "event" as const, stateAt: t, event: { type, timestamp: t, hostname: `celery@worker${n % 4}`, clock: n * 10 + stage, fields: { pid: 4242 } } };
  switch (stage) {
    case 0:
      return { ...base, state: "PENDING", sentAt: t, name: `bench.task${n % 20}`, queue: "celery", argsRepr: `(${n}, 'payload-${n}')`, kwargsRepr: "{'flag': True}", rootId: id };
    case 1:
      return { ...base, state: "RECEIVED", receivedAt: t, name: `bench.task${n % 20}`, argsRepr: `(${n}, 'payload-${n}')`, kwargsRepr: "{'flag': True}", retries: 0 };
    case 2:
      return { ...base, state: "STARTED", startedAt: t, worker: `celery@worker${n % 4}` };
    default:
      // The terminal event twice: duplicates happen (a replayed event, or backend and event agreeing).
      return { ...base, state: "SUCCESS", finishedAt: t, runtime: 0.004 + (n % 50) / 1000, result: `${n * 2}` };
  }
}

/** Batches where each task's five observations arrive together (one flush sees a short task whole). */
function togetherBatches(prefix: string, count: number): IngestBatch[] {
  const tasksPerBatch = OBSERVATIONS_PER_BATCH / EVENTS_PER_TASK;
  return Array.from({ length: count }, (_, b) => ({
    tasks: Array.from({ length: tasksPerBatch }, (_, i) => {
      const n = b * tasksPerBatch + i;
      return STAGES.map((_, stage) => observation(`${prefix}-${n}`, n, stage, 1_700_000_000 + n / 100 + stage / 1000));
    }).flat(),
    workers: [],
    groups: [],
    edges: [],
  }));
}

/** Batches where each task's observations are spread over five consecutive batches (a pipeline). */
function spreadBatches(prefix: string, count: number): IngestBatch[] {
  const tasksPerStage = OBSERVATIONS_PER_BATCH / EVENTS_PER_TASK;
  return Array.from({ length: count }, (_, b) => ({
    tasks: STAGES.flatMap((_, stage) =>
      Array.from({ length: tasksPerStage }, (_, i) => {
        const n = (b - stage) * tasksPerStage + i;
        return observation(`${prefix}-${n}`, n, stage, 1_700_000_000 + n / 100 + stage);
      }),
    ),
    workers: [],
    groups: [],
    edges: [],
  }));
}

// CPU seconds spent so far by this process and by the PostgreSQL backends serving this run (found
// by application_name): on a shared, loaded machine wall-clock rates say more about the neighbours
// than about the store, while CPU per observation is what the store costs.
const APPLICATION_NAME = `celeriac_bench_${process.pid}`;
const CLOCK_TICKS = 100;

async function cpuSeconds(store: Store, postgres: boolean): Promise<number> {
  const usage = process.cpuUsage();
  let seconds = (usage.user + usage.system) / 1e6;
  if (!postgres) return seconds;
  const backends = await store.sql.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, APPLICATION_NAME);
  for (const { pid } of backends) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      seconds += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      // Not on this machine's /proc (a remote server): wall clock only.
    }
  }
  return seconds;
}

/** Applies the batches through `writers` concurrent streams (the ingestor allows several writes in flight). */
async function measureApply(store: Store, label: string, batches: IngestBatch[], writers = 1): Promise<void> {
  const postgres = store.where.startsWith("postgres");
  // Warm up: plans, caches, the JIT, and the pool's connections (so their CPU is counted from here).
  await Promise.all(batches.slice(0, writers).map((batch) => store.applyBatch(batch)));
  const rest = batches.slice(writers);
  const cpuBefore = await cpuSeconds(store, postgres);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = w; i < rest.length; i += writers) await store.applyBatch(rest[i]!);
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = (await cpuSeconds(store, postgres)) - cpuBefore;
  const observations = rest.length * OBSERVATIONS_PER_BATCH;
  const perCpuSecond = Math.round(observations / cpu).toLocaleString("en");
  console.log(
    `  applyBatch ${label}: ${Math.round(observations / seconds).toLocaleString("en")} observations/s wall clock (${((seconds * 1000) / rest.length).toFixed(1)} ms per batch of ${OBSERVATIONS_PER_BATCH}); ` +
      `${perCpuSecond} observations per CPU second (${postgres ? "this process + its PostgreSQL backends" : "this process"})`,
  );
}

async function measureWorkflow(store: Store): Promise<void> {
  const root = `wf-${Date.now()}`;
  const chunk = 1000;
  for (let offset = 0; offset < WORKFLOW_NODES; offset += chunk) {
    const ids = Array.from({ length: chunk }, (_, i) => (offset + i === 0 ? root : `${root}-${offset + i}`));
    await store.applyBatch({
      tasks: ids.map((id, i) => ({ id, source: "capture", state: i % 3 === 0 ? "PLANNED" : "SUCCESS", rootId: root, name: "bench.step", parentId: offset + i > 0 ? root : undefined, groupId: `${root}-g${Math.floor((offset + i) / 100)}`, groupIndex: (offset + i) % 100, sentAt: 1_700_000_000 + offset + i, event: { type: "task-sent", timestamp: 1_700_000_000 + offset + i } })),
      groups: offset % 100 === 0 ? Array.from({ length: chunk / 100 }, (_, g) => ({ id: `${root}-g${(offset + g * 100) / 100}`, rootId: root, size: 100 })) : [],
      edges: ids.slice(1).map((id, i) => ({ rootId: root, fromId: ids[i]!, toId: id, kind: "chain" as const })),
      workers: [],
    });
  }
  const times: number[] = [];
  let nodes = 0;
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    const workflow = await store.getWorkflow(root);
    times.push(performance.now() - start);
    nodes = workflow.nodes.length;
  }
  times.sort((a, b) => a - b);
  console.log(`  getWorkflow: ${nodes.toLocaleString("en")} nodes in ${times[2]!.toFixed(0)} ms (median of 5; best ${times[0]!.toFixed(0)} ms)`);
}

async function measureList(store: Store): Promise<void> {
  const start = performance.now();
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) cursor = (await store.listTasks({ limit: 50, cursor })).nextCursor ?? undefined;
  const pages = performance.now() - start;
  const textStart = performance.now();
  await store.listTasks({ text: "payload-1234'", limit: 50 });
  console.log(`  listTasks: ${(pages / 10).toFixed(1)} ms per page of 50 (10 pages), text search ${(performance.now() - textStart).toFixed(0)} ms`);
}

async function timed(label: string, work: () => Promise<unknown>): Promise<string> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await work();
    runs.push(performance.now() - start);
  }
  return `${label} ${Math.min(...runs).toFixed(1)} ms`;
}

/** listTasks on a table of LIST_ROWS synthetic tasks (filled in SQL: the point is the reads). */
async function measureListAtScale(store: Store): Promise<void> {
  const start = performance.now();
  const payload = `'(' || g || ', ''payload-' || g || ''')'`;
  await store.sql.execute(
    `INSERT INTO task (id, name, state, state_rank, worker, queue, root_id, first_at, sent_at, args_repr, search)
     SELECT 'fill-' || g, 'bench.task' || (g % 50), (ARRAY['SUCCESS','FAILURE','STARTED','PENDING'])[1 + g % 4], 0, 'w' || (g % 8),
            'q' || (g % 5), 'root-' || (g / 100), to_timestamp(1600000000 + g), to_timestamp(1600000000 + g), ${payload}, ${payload}
     FROM generate_series(1, $1::int) g`,
    LIST_ROWS,
  );
  await store.sql.execute(`ANALYZE task`);
  console.log(`  filled ${LIST_ROWS.toLocaleString("en")} tasks in ${((performance.now() - start) / 1000).toFixed(0)} s; listTasks, best of 3:`);
  const walk = async () => {
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) cursor = (await store.listTasks({ limit: 50, cursor })).nextCursor ?? undefined;
  };
  const figures = [
    await timed("first page", () => store.listTasks({ limit: 50 })),
    await timed("20 pages walked", walk),
    await timed("state=FAILURE", () => store.listTasks({ state: "FAILURE", limit: 50 })),
    await timed("name+state", () => store.listTasks({ name: "bench.task7", state: "FAILURE", limit: 50 })),
    await timed("name+state, no match", () => store.listTasks({ name: "bench.task7", state: "STARTED", limit: 50 })),
    await timed("worker+time range", () => store.listTasks({ worker: "w3", from: 1600400000, to: 1600500000, limit: 50 })),
    await timed("rootId", () => store.listTasks({ rootId: "root-4321" })),
    await timed("text, one match", () => store.listTasks({ text: "payload-654321'", limit: 50 })),
    await timed("text, many matches", () => store.listTasks({ text: "payload-9", limit: 50 })),
    await timed("text, no match", () => store.listTasks({ text: "no-such-text", limit: 50 })),
  ];
  for (const figure of figures) console.log(`    ${figure}`);
}

async function run(label: string, store: Store): Promise<void> {
  console.log(`${label}:`);
  const prefix = `bench-${Date.now()}`;
  await measureApply(store, "(each task's 5 observations in one batch)", togetherBatches(`${prefix}-t`, BATCHES));
  await measureApply(store, "(each task spread over 5 batches)", spreadBatches(`${prefix}-s`, BATCHES));
  await measureApply(store, "(5 observations per task in one batch, 2 writers)", togetherBatches(`${prefix}-c`, BATCHES), 2);
  await measureWorkflow(store);
  await measureList(store);
}

const schema = `bench_store_${process.pid}`;
const url = new URL(POSTGRES_URL);
url.searchParams.set("schema", schema);
url.searchParams.set("application_name", APPLICATION_NAME);
const postgres = await openStore(url.toString());
try {
  await run(`PostgreSQL (${POSTGRES_URL}, schema ${schema})`, postgres);
  if (LIST_ROWS > 0) await measureListAtScale(postgres);
} finally {
  await postgres.close();
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}

const pglite = await openStore("memory:");
try {
  await run("PGlite (memory:)", pglite);
} finally {
  await pglite.close();
}
