// Benchmark (not a test): one alert evaluation of 200 rules (every kind, windows of 5 min, 15 min
// and 1 h, per-task-name and glob selectors) over a PostgreSQL store holding 1,000,000 tasks
// finished over the last day, with their per-minute rollups, 16 workers and queue samples. The
// issue's target is under 1 s of store time per evaluation (each minute); the figure printed is
// the whole evaluation (store reads, state writes and the JavaScript between), median and range of
// the runs. Run: npm run bench:alerts [-- --tasks 1000000 --rules 200 --runs 5 --database postgresql://…]

import { parseArgs } from "node:util";
import pg from "pg";
import { ALERT_KINDS, KIND_INFO, alertRuleInput } from "../src/server/alerts/alert-rule";
import { CounterHistory } from "../src/server/alerts/counter-history";
import { evaluateAlerts } from "../src/server/alerts/evaluate-alerts";
import { redactPattern } from "../src/server/services/redact";
import { alertStore, openStore } from "../src/server/store/index";
import { formatRuns, repeat } from "./repeat";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "1000000" },
    rules: { type: "string", default: "200" },
    runs: { type: "string", default: "5" },
    database: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/test" },
    schema: { type: "string", default: "bench_alerts" },
  },
});
const TOTAL = Number(values.tasks);
const RULES = Number(values.rules);
const NAMES = ["seedflow.check_device", "seedflow.notify_user", "seedflow.save_event", "seedflow.post_to_api", "seedflow.post_process", "seedflow.add", "seedflow.tsum"];
const STATES = ["SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS", "FAILURE", "RETRY", "SUCCESS", "REVOKED"];
/** The newest tasks are still waiting in their queues: a backlog for the queue rules. */
const BACKLOG = 10_000;
const DAY = 86_400;

const store = await openStore(`${values.database}?schema=${values.schema}`, { poolSize: 4 });
const direct = new pg.Client({ connectionString: values.database, options: `-c search_path="${values.schema}",public` });
await direct.connect();

// Seeded with INSERT … SELECT (the write path has its own benchmark, bench/store.ts): tasks spread
// over the last day, then their rollups as ingestion would have counted them.
const countOf = async (table: string) => Number((await direct.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`)).rows[0]!.n);
const started = Date.now();
if ((await countOf("task")) < TOTAL) {
  process.stdout.write(`seeding ${TOTAL.toLocaleString("en")} tasks into ${values.schema}… `);
  await direct.query("TRUNCATE task, task_rollup, worker, queue_sample");
  await direct.query(
    `INSERT INTO task (id, name, state, state_rank, worker, queue, runtime, sent_at, started_at, finished_at, first_at, exception)
     SELECT 'bench-' || i, ($2::text[])[1 + i % 7], CASE WHEN i <= $5 THEN 'PENDING' ELSE ($3::text[])[1 + i % 8] END, 0, 'celery@w' || (i % 16), 'q' || (i % 4), (i % 100) / 10.0,
            now() - make_interval(secs => i * $4::float8 / $1), now() - make_interval(secs => i * $4::float8 / $1), now() - make_interval(secs => i * $4::float8 / $1),
            now() - make_interval(secs => i * $4::float8 / $1), CASE WHEN i % 8 = 4 THEN 'ValueError(''boom'')' END
     FROM generate_series(1, $1::int) AS i`,
    [TOTAL, NAMES, STATES, DAY, BACKLOG],
  );
}
if ((await countOf("task_rollup")) === 0) {
  process.stdout.write("rollups… ");
  // Each rollup row's runtimes in the bucket of their mean (src/server/store/histogram.ts: four per doubling from 1 ms).
  await direct.query(
    `INSERT INTO task_rollup (minute, task_name, queue, worker, state, count, runtime_sum, runtime_count, runtime_hist, wait_sum, wait_count, wait_hist)
     SELECT minute, name, queue, worker, state, n, runtime_sum, n, array_fill(0, ARRAY[b]) || n || array_fill(0, ARRAY[112 - b]), 0, 0, array_fill(0, ARRAY[113])
     FROM (SELECT date_trunc('minute', finished_at) AS minute, name, queue, worker, state, count(*)::int AS n, sum(runtime) AS runtime_sum,
             LEAST(112, GREATEST(0, ceil(ln(GREATEST(avg(runtime), 0.001) / 0.001) / ln(2) * 4)::int)) AS b
           FROM task WHERE state <> 'PENDING' GROUP BY 1, 2, 3, 4, 5) grouped`,
  );
}
if ((await countOf("worker")) === 0) {
  await direct.query(
    `INSERT INTO worker (hostname, status, last_heartbeat, freq, first_seen, last_seen, queues, inspected_at)
     SELECT 'celery@w' || i, 'online', now(), 2, now() - interval '1 day', now(), ARRAY['q' || (i % 4)], now() FROM generate_series(0, 15) AS i`,
  );
  await direct.query(`INSERT INTO queue_sample (broker, queue, at, depth, consumers) SELECT 'redis://bench', 'q' || (i % 4), now() - make_interval(secs => i * 5), i % 50, NULL FROM generate_series(0, 2000) AS i`);
  await direct.query("ANALYZE");
  console.log(`seeded in ${Math.round((Date.now() - started) / 1000)} s`);
}
// Heartbeats and samples as fresh as a running cluster's.
await direct.query("UPDATE worker SET last_heartbeat = now(), last_seen = now(), inspected_at = now()");
await direct.query("UPDATE queue_sample SET at = now() - make_interval(secs => id % 2001 * 5)");

// 200 rules: every kind, three windows, exact names and globs.
const alerts = alertStore(store);
await direct.query("TRUNCATE alert_rule, alert_state, alert_event, alert_delivery");
const WINDOWS = [300, 900, 3600];
const SELECTORS = ["*", "seedflow.post_*", "seedflow.add", "q1|q2", "celery@w1*", "seedflow.?ave_event"];
for (let i = 0; i < RULES; i++) {
  const kind = ALERT_KINDS[i % ALERT_KINDS.length]!;
  const defaults = KIND_INFO[kind].defaults;
  await alerts.createRule(alertRuleInput.parse({ ...defaults, name: `bench ${i} ${kind}`, kind, windowSeconds: WINDOWS[i % WINDOWS.length], selector: KIND_INFO[kind].selects === "ingest counter" ? defaults.selector : SELECTORS[i % SELECTORS.length] }), "bench");
}

const counters = new CounterHistory();
const evaluate = () => evaluateAlerts({ store, alerts, counters, redactKeys: redactPattern(), now: Date.now() / 1000 });
await evaluate(); // the first run fires what fires: state rows, history, plans warmed
const runs = await repeat(Number(values.runs), async () => {
  const started = performance.now();
  await evaluate();
  return performance.now() - started;
});
const open = (await alerts.listStates()).length;
console.log(`Alert evaluation: ${RULES} rules over ${TOTAL.toLocaleString("en")} tasks (PostgreSQL), ${values.runs} runs, ${open} alerts open`);
console.log("| measure | Celeriac | target | ratio |\n|---|---|---|---|");
console.log(`| one evaluation of every rule (ms) | ${formatRuns(runs, 1)} | 1,000 | ×${(1000 / runs.median).toFixed(1)} under |`);
await direct.end();
await store.close();
