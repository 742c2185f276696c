// Live push over real HTTP (server-sent events) on the embedded setup: a logged-in page hears a
// change as soon as the store changes; however many pages listen, the store is read once a second;
// answers the same for every viewer are computed once per change; anonymous callers are refused.

import { randomUUID } from "node:crypto";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { AppRouter } from "../../../src/server/api/root";
import type { ChangeMark } from "../../../src/server/store/index";
import { dashboardClient } from "../http/dashboard-client";
import { type EmbeddedDashboard, startEmbeddedDashboard } from "../http/embedded-dashboard";

let dashboard: EmbeddedDashboard;

beforeAll(async () => {
  dashboard = await startEmbeddedDashboard({ name: "root", password: "admin password 12" }, [{ name: "vera", role: "viewer", password: "viewer password 1" }]);
});

afterAll(async () => {
  await dashboard?.close();
});

/** A browser tab: logged in, with queries over HTTP and subscriptions over server-sent events. */
async function browser(login = true) {
  const { client: login_, cookies } = dashboardClient(dashboard.baseUrl);
  if (login) await login_.auth.login.mutate({ name: "vera", password: "viewer password 1" });
  const cookie = () => [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: `${dashboard.baseUrl}/api/trpc`,
          transformer: superjson,
          EventSource,
          eventSourceOptions: { fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, cookie: cookie() } }) },
        }),
        false: httpBatchLink({ url: `${dashboard.baseUrl}/api/trpc`, transformer: superjson, headers: () => ({ cookie: cookie() }) }),
      }),
    ],
  });
}

function listen(client: Awaited<ReturnType<typeof browser>>) {
  const marks: ChangeMark[] = [];
  const errors: Error[] = [];
  const subscription = client.live.changes.subscribe(undefined, { onData: ({ mark }) => void marks.push(mark), onError: (error) => void errors.push(error) });
  return { marks, errors, stop: () => subscription.unsubscribe() };
}

async function until(what: string, condition: () => boolean, seconds = 15): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it("pushes the store's marks at once and again, with the tasks mark changed, when a task is written", async () => {
  const page = listen(await browser());
  try {
    await until("the first mark", () => page.marks.length >= 1);
    const before = page.marks.length;
    await dashboard.runtime.store.applyBatch({ tasks: [{ id: randomUUID(), source: "event", state: "SUCCESS", stateAt: Date.now() / 1000, name: "seedflow.add" }], workers: [], groups: [], edges: [] });
    await until("the change pushed", () => page.marks.length > before);
    await until("the tasks mark to move", () => page.marks.at(-1)!.tasks !== page.marks[before - 1]!.tasks);
    expect(Object.keys(page.marks.at(-1)!).sort()).toEqual(["audit", "counters", "quarantine", "queues", "tasks", "workers"]);
    expect(page.errors).toEqual([]);
  } finally {
    page.stop();
  }
});

it("reads the store once a second for any number of listening pages, and shares one answer per change", async () => {
  const clients = await Promise.all(Array.from({ length: 20 }, () => browser()));
  const pages = clients.map(listen);
  try {
    await until("every page's first mark", () => pages.every((page) => page.marks.length >= 1));
    const feed = dashboard.runtime.changes;
    expect(feed.listening).toBeGreaterThanOrEqual(20);
    const readsBefore = feed.reads;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // About three reads in three seconds, not sixty.
    expect(feed.reads - readsBefore).toBeLessThanOrEqual(5);

    let listed = 0;
    const store = dashboard.runtime.store;
    const listTasks = store.listTasks.bind(store);
    store.listTasks = (query) => {
      listed += 1;
      return listTasks(query);
    };
    try {
      const answers = await Promise.all(clients.map((client) => client.history.tasks.query({ limit: 20 })));
      // The demo cluster writes all the time: a change may land during the twenty reads, and the
      // reads after it get a fresh answer (exact counts: shared-reads.test.ts). Without sharing the
      // store would answer all twenty.
      expect(listed).toBeLessThan(clients.length / 2);
      expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBeLessThanOrEqual(listed);
    } finally {
      store.listTasks = listTasks;
    }
  } finally {
    for (const page of pages) page.stop();
  }
});

it("refuses a page that is not logged in", async () => {
  const page = listen(await browser(false));
  try {
    await until("the refusal", () => page.errors.length > 0);
    expect(page.errors[0]!.message).toMatch(/Log in/);
    expect(page.marks).toEqual([]);
  } finally {
    page.stop();
  }
});
