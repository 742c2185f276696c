// Live push under load: N simulated browsers subscribed to live.changes on one dashboard, each
// refetching the task list's first page and the overview on every push (what a page on screen
// does), while task events flood in at a fixed rate. Printed for 1 and for N browsers: store
// transactions per second (PostgreSQL's own count for the bench's database), the dashboard's CPU,
// and pushes received; the ratio shows what the 49 more browsers cost.
// Usage: npx tsx bench/live.ts [--browsers 50] [--rate 2000] [--seconds 30] [--runs 3]

import { randomUUID } from "node:crypto";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { EventSource } from "eventsource";
import pg from "pg";
import superjson from "superjson";
import { parseArgs } from "node:util";
import type { AppRouter } from "../src/server/api/root";
import { dashboardClient } from "../test/server/http/dashboard-client";
import { startDashboardProcess } from "../test/support/dashboard-process";
import { floodEvents } from "./event-generator";
import { BENCH_AMQP_URL, cpuSeconds, ensureBenchVhost, listeningPid } from "./process-stats";
import { formatRuns, summarize } from "./repeat";

const { values: args } = parseArgs({
  options: {
    browsers: { type: "string", default: "50" },
    rate: { type: "string", default: "2000" },
    seconds: { type: "string", default: "30" },
    runs: { type: "string", default: "3" },
  },
});
const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const ADMIN = { name: "bench", password: `bench-${randomUUID()}` };

interface Measured {
  transactionsPerSecond: number;
  cpuPercent: number;
  pushes: number;
  refetches: number;
}

async function transactions(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: string }>("SELECT (xact_commit + xact_rollback)::text AS n FROM pg_stat_database WHERE datname = current_database()");
  return Number(rows[0]!.n);
}

/** One browser: logged in, subscribed, refetching its two reads on each push. */
async function openBrowser(baseUrl: string, counts: { pushes: number; refetches: number }) {
  const { client: login, cookies } = dashboardClient(baseUrl);
  await login.auth.login.mutate(ADMIN);
  const cookie = () => [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url: `${baseUrl}/api/trpc`, transformer: superjson, EventSource, eventSourceOptions: { fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, cookie: cookie() } }) } }),
        false: httpBatchLink({ url: `${baseUrl}/api/trpc`, transformer: superjson, headers: () => ({ cookie: cookie() }) }),
      }),
    ],
  });
  // The overview's range as a page computes it: the last 15 minutes, to the minute.
  const minute = Math.floor(Date.now() / 60_000) * 60;
  let busy = false;
  const subscription = client.live.changes.subscribe(undefined, {
    onData: () => {
      counts.pushes += 1;
      if (busy) return;
      busy = true;
      counts.refetches += 1;
      void Promise.all([client.history.tasks.query({ limit: 50 }), client.history.overview.query({ from: minute - 900, to: minute + 60 })]).finally(() => (busy = false));
    },
  });
  return () => subscription.unsubscribe();
}

async function measure(browsers: number, rate: number, seconds: number): Promise<Measured> {
  const schema = `bench_live_${process.pid}_${browsers}_${Date.now()}`;
  const dashboard = await startDashboardProcess(
    { CELERY_BROKER_URL: BENCH_AMQP_URL, DATABASE_URL: `${POSTGRES_URL}?schema=${schema}`, CELERIAC_ADMIN_USER: ADMIN.name, CELERIAC_ADMIN_PASSWORD: ADMIN.password, CELERIAC_EVENTS_QUEUE: `celeriac.events.${schema}` },
    ["--no-pages"],
  );
  const db = new pg.Client({ connectionString: POSTGRES_URL });
  await db.connect();
  const counts = { pushes: 0, refetches: 0 };
  const closers = await Promise.all(Array.from({ length: browsers }, () => openBrowser(dashboard.baseUrl, counts)));
  try {
    const pid = listeningPid(new URL(dashboard.baseUrl).port);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const [tx0, cpu0, t0] = [await transactions(db), cpuSeconds(pid), performance.now()];
    counts.pushes = 0;
    counts.refetches = 0;
    await floodEvents(BENCH_AMQP_URL, rate, seconds);
    const [tx1, cpu1, t1] = [await transactions(db), cpuSeconds(pid), performance.now()];
    const elapsed = (t1 - t0) / 1000;
    return { transactionsPerSecond: (tx1 - tx0) / elapsed, cpuPercent: ((cpu1 - cpu0) / elapsed) * 100, pushes: counts.pushes, refetches: counts.refetches };
  } finally {
    for (const close of closers) close();
    await dashboard.stop();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.end();
  }
}

async function main(): Promise<void> {
  const [browsers, rate, seconds, runs] = [args.browsers, args.rate, args.seconds, args.runs].map(Number) as [number, number, number, number];
  ensureBenchVhost();
  const results = new Map<number, Measured[]>([[1, []], [browsers, []]]);
  for (let run = 1; run <= runs; run++) {
    for (const count of results.keys()) {
      if (process.stderr.isTTY) process.stderr.write(`\rrun ${run}/${runs}: ${count} browser(s)…`.padEnd(50));
      results.get(count)!.push(await measure(count, rate, seconds));
    }
  }
  if (process.stderr.isTTY) process.stderr.write("\n");
  console.log(`Live push: browsers subscribed while ${rate.toLocaleString("en-US")} task events/s arrive for ${seconds} s (in-process ingestion into PostgreSQL); median (range) of ${runs} run(s)`);
  console.log("| browsers | store transactions/s | dashboard CPU % | pushes per browser | refetches per browser |");
  console.log("|---|---|---|---|---|");
  for (const [count, list] of results) {
    const per = (value: (m: Measured) => number) => formatRuns(summarize(list.map(value)), 1);
    console.log(`| ${count} | ${per((m) => m.transactionsPerSecond)} | ${per((m) => m.cpuPercent)} | ${per((m) => m.pushes / count)} | ${per((m) => m.refetches / count)} |`);
  }
  const one = summarize(results.get(1)!.map((m) => m.transactionsPerSecond)).median;
  const many = summarize(results.get(browsers)!.map((m) => m.transactionsPerSecond)).median;
  console.log(`store transactions/s with ${browsers} browsers vs 1: ×${(many / one).toFixed(2)}`);
}

await main();
