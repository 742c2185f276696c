// Benchmark (not a test): server time of the dashboard's /tasks first page (plain and filtered)
// and of a 10,000-node workflow, through the real tRPC router and store, over a PostgreSQL store
// holding 1,000,000 tasks. The targets (100 ms and 300 ms) are the baseline printed
// beside each figure. Run: npm run bench:dashboard [-- --tasks 1000000 --database postgresql://…]

import { parseArgs } from "node:util";
import pg from "pg";
import { appRouter } from "../src/server/api/root";
import { ChangeFeed } from "../src/server/live/change-feed";
import { SharedReads } from "../src/server/live/shared-reads";
import { createCallerFactory, type Context } from "../src/server/api/trpc";
import { LoginRateLimit } from "../src/server/auth/login-rate-limit";
import { loadServerConfig } from "../src/server/config/server-config";
import type { IngestBatch, TaskObservation } from "../src/server/ingest/observation";
import { createLogger } from "../src/server/runtime/logger";
import type { Runtime } from "../src/server/runtime/runtime";
import { redactPattern } from "../src/server/services/redact";
import { openStore } from "../src/server/store/index";
import { Celery, createBroker } from "../src/celery/index";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "1000000" },
    database: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/test" },
    schema: { type: "string", default: "bench_dashboard" },
    runs: { type: "string", default: "30" },
  },
});
const TOTAL = Number(values.tasks);
const RUNS = Number(values.runs);
const url = `${values.database}?schema=${values.schema}`;
const NAMES = ["seedflow.check_device", "seedflow.notify_user", "seedflow.save_event", "seedflow.post_to_api", "seedflow.post_process", "seedflow.add", "seedflow.tsum"];
const STATES = ["SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS", "FAILURE", "RETRY", "STARTED", "PENDING"];

const store = await openStore(url, { poolSize: 4 });
const direct = new pg.Client({ connectionString: values.database, options: `-c search_path="${values.schema}",public` });
await direct.connect();

// Seeding with one INSERT … SELECT from generate_series: the benchmark is about reads, and a
// million applyBatch calls would only measure the write path (bench/store.ts does that).
const [{ count }] = (await direct.query<{ count: string }>("SELECT count(*)::text AS count FROM task")).rows as [{ count: string }];
if (Number(count) < TOTAL) {
  process.stdout.write(`seeding ${TOTAL - Number(count)} tasks into ${values.schema}… `);
  const started = Date.now();
  await direct.query(
    `INSERT INTO task (id, name, state, state_rank, root_id, worker, queue, args_json, kwargs_json, result, runtime, sent_at, started_at, finished_at, first_at, search)
     SELECT 'bench-' || i, ($2::text[])[1 + i % 7], ($3::text[])[1 + i % 8], 0, 'bench-root-' || (i / 5), 'celery@w' || (i % 16), 'q' || (i % 4),
            '["user' || i || '", ' || i || ']', '{}', '{"ok": true}', (i % 100) / 100.0,
            now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval + interval '1 second',
            now() - (i || ' seconds')::interval, 'user' || i
     FROM generate_series($1::int, $4::int) AS i`,
    [Number(count) + 1, NAMES, STATES, TOTAL],
  );
  await direct.query("ANALYZE task");
  console.log(`${Math.round((Date.now() - started) / 1000)} s`);
}

// One workflow of 10,000 nodes, written the way ingestion writes: a chord of 9,998 members
// between a first step and a last one.
const ROOT = "bench-wide-root";
if (!(await store.getTask(ROOT))) {
  const now = Date.now() / 1000;
  const task = (id: string, name: string, extra: Partial<TaskObservation> = {}): TaskObservation => ({ id, source: "capture", state: "SUCCESS", stateAt: now, name, rootId: ROOT, sentAt: now, ...extra });
  const members = Array.from({ length: 9998 }, (_, i) => task(`bench-wide-m${i}`, "seedflow.add", { parentId: ROOT, groupId: "bench-wide-g", groupIndex: i }));
  const batch: IngestBatch = {
    tasks: [task(ROOT, "seedflow.check_device"), ...members, task("bench-wide-body", "seedflow.tsum")],
    workers: [],
    groups: [{ id: "bench-wide-g", rootId: ROOT, parentId: ROOT, size: members.length, chordBodyId: "bench-wide-body" }],
    edges: [{ rootId: ROOT, fromId: ROOT, toId: "bench-wide-g", kind: "chain" }, { rootId: ROOT, fromId: "bench-wide-g", toId: "bench-wide-body", kind: "chord" }],
  };
  await store.applyBatch(batch);
}

// No page listens for changes here: every read goes to the store, as a cold page load does.
const changes = new ChangeFeed({ read: () => store.changeMark() });
const runtime: Runtime = {
  config: loadServerConfig({}),
  changes,
  sharedReads: new SharedReads(changes),
  log: createLogger("silent"),
  store,
  app: new Celery({ name: "bench", broker: createBroker("memory://") }),
  loginLimit: new LoginRateLimit(),
  redactKeys: redactPattern(),
  ingestion: null,
  demo: null,
  startedAt: new Date(),
  close: async () => {},
};
const context = { runtime, session: { id: "bench", user: { id: "bench", name: "bench", role: "viewer" }, csrfToken: "" }, clientAddress: "bench" } as unknown as Context;
const caller = createCallerFactory(appRouter)(context);

async function measure(label: string, target: number, work: () => Promise<unknown>): Promise<string> {
  await work(); // warm the pool, plans and caches, as a dashboard that has been open a while
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(RUNS * 0.5)] as number;
  const p95 = times[Math.min(RUNS - 1, Math.floor(RUNS * 0.95))] as number;
  return `| ${label} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${target} | ×${(target / p95).toFixed(1)} under |`;
}

const rows = [
  await measure("/tasks first page (50, newest)", 100, () => caller.history.tasks({ limit: 50 })),
  await measure("/tasks filtered by state=FAILURE + name", 100, () => caller.history.tasks({ limit: 50, state: "FAILURE", name: "seedflow.post_to_api" })),
  await measure("/tasks text search in args", 100, () => caller.history.tasks({ limit: 50, text: "user77777" })),
  await measure("/tasks page 2 (keyset cursor)", 100, async () => {
    const first = await caller.history.tasks({ limit: 50 });
    return caller.history.tasks({ limit: 50, cursor: first.nextCursor ?? undefined });
  }),
  await measure("/workflows/[rootId], 10,000 nodes", 300, () => caller.history.workflow({ rootId: ROOT })),
];
console.log(`Dashboard server time over ${TOTAL.toLocaleString("en")} tasks in PostgreSQL, ${RUNS} runs each (ms)`);
console.log("| query | p50 | p95 | target | p95 vs target |\n|---|---|---|---|---|");
for (const row of rows) console.log(row);
await direct.end();
await store.close();
