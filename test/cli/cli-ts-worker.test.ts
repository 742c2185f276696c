// The CLI against our own TypeScript worker (in this process) over Redis and RabbitMQ: call
// --wait, inspect ping/registered/stats/active/query_task/revoked, control revoke --terminate of a running task,
// pool and consumer commands, and shutdown of the addressed worker.

import { afterAll, beforeAll, expect, it } from "vitest";
import { AmqpBroker, type Broker, Celery, RedisBackend, RedisBroker, type Worker } from "../../src/celery/index";
import { AMQP_URL, REDIS_URL, type Service, describeWith, uniqueName } from "../support/services";
import { runCli } from "./run-cli";
import { abortableSleep } from "../support/abortable-sleep";

// Redis on a database of its own, away from other suites' and benchmarks' traffic.
const REDIS = REDIS_URL.replace(/\/\d*$/, "/14");
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

const brokers: [Service, string, () => Broker][] = [
  ["redis", REDIS, () => new RedisBroker(REDIS)],
  ["rabbitmq", AMQP_URL, () => new AmqpBroker(AMQP_URL)],
];

for (const [service, brokerUrl, makeBroker] of brokers) {
  await describeWith([service, "redis"], `celeriac against a TypeScript worker over ${service}`, () => {
    const queue = uniqueName(`cli-ts-${service}`);
    const node = `ts-${queue}@test`;
    const env = { CELERY_BROKER_URL: brokerUrl, CELERY_RESULT_BACKEND: REDIS };
    const cli = (...args: string[]) => runCli(args, { env });
    let app: Celery;
    let worker: Worker;

    beforeAll(async () => {
      app = new Celery({ broker: makeBroker(), backend: new RedisBackend(REDIS), defaultQueue: queue });
      app.task("cli.add", (x: number, y: number) => x + y);
      app.task("cli.sleeper", abortableSleep);
      await app.connect();
      worker = app.worker({ queues: [queue], concurrency: 2, hostname: node, logger: quiet, heartbeatInterval: 60 });
      await worker.start();
    });

    afterAll(async () => {
      await worker?.stop();
      await app?.close();
    });

    it("call --wait gets the worker's result; inspect ping, registered and stats answer as JSON", async () => {
      const [sum, ping, registered, stats] = await Promise.all([
        cli("call", "cli.add", "--args", "[40, 2]", "-Q", queue, "--wait", "15"),
        cli("inspect", "ping", "-d", node, "-t", "5", "--json"),
        cli("inspect", "registered", "-d", node, "-t", "5", "--json"),
        cli("inspect", "stats", "-d", node, "-t", "5", "--json"),
      ]);
      expect(sum.code, sum.stderr).toBe(0);
      expect(sum.stdout).toBe("42\n");
      expect(JSON.parse(ping.stdout)).toEqual({ [node]: { ok: "pong" } });
      expect(JSON.parse(registered.stdout)[node]).toEqual(expect.arrayContaining(["cli.add", "cli.sleeper"]));
      expect(JSON.parse(stats.stdout)[node]).toMatchObject({ pid: process.pid });
    }, 120_000);

    it("inspect active and query_task show a running sleeper; control revoke --terminate ends it REVOKED and inspect revoked lists it", async () => {
      const id = (await cli("call", "cli.sleeper", "--args", "[60]", "-Q", queue)).stdout.trim();
      const inspect = app.control.inspect({ destination: [node], timeout: 2000 });
      for (let attempt = 0; attempt < 50 && !((await inspect.active())?.[node] ?? []).some((task) => task.id === id); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const [active, queried] = await Promise.all([cli("inspect", "active", "-d", node, "-t", "5"), cli("inspect", "query_task", id, "-d", node, "-t", "5", "--json")]);
      expect(active.stdout).toMatch(new RegExp(`^->  ${node}: OK\n    \\* \\{'id': '${id}', 'name': 'cli.sleeper', 'args': \\[60\\]`));
      expect(JSON.parse(queried.stdout)).toEqual({ [node]: { [id]: ["active", expect.objectContaining({ id, name: "cli.sleeper" })] } });

      const revoked = await cli("control", "revoke", id, "--terminate", "--signal", "KILL", "-d", node, "-t", "5", "--json");
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(JSON.parse(revoked.stdout)).toEqual({ [node]: { ok: `terminate: ${id}` } });
      const after = await cli("result", id, "--wait", "10", "--json");
      expect(JSON.parse(after.stdout)).toMatchObject({ state: "REVOKED" });
      expect(after.code).toBe(1);
      expect(JSON.parse((await cli("inspect", "revoked", "-d", node, "-t", "5", "--json")).stdout)[node]).toContain(id);
    }, 120_000);

    it("control pool_grow/pool_shrink, time_limit and add_consumer/cancel_consumer reply ok per node", async () => {
      const extra = `${queue}-extra`;
      const [grow, shrink, add, limits] = await Promise.all([
        cli("control", "pool_grow", "2", "-d", node, "-t", "5", "--json"),
        cli("control", "pool_shrink", "-d", node, "-t", "5", "--json"),
        cli("control", "add_consumer", extra, "-d", node, "-t", "5"),
        cli("control", "time_limit", "cli.add", "5", "none", "-d", node, "-t", "5", "--json"),
      ]);
      expect(JSON.parse(limits.stdout)).toEqual({ [node]: { ok: "time limits set successfully" } });
      expect(JSON.parse(grow.stdout)).toEqual({ [node]: { ok: "pool will grow" } });
      expect(JSON.parse(shrink.stdout)).toEqual({ [node]: { ok: "pool will shrink" } });
      expect(add.stdout).toBe(`->  ${node}: OK\n        add consumer ${extra}\n\n1 node online.\n`);
      const cancel = await cli("control", "cancel_consumer", extra, "-d", node, "-t", "5", "--json");
      expect(JSON.parse(cancel.stdout)).toEqual({ [node]: { ok: `no longer consuming from ${extra}` } });
    }, 120_000);

    if (service === "redis") {
      it("control shutdown -d stops the addressed worker, which then no longer answers (exit 69)", async () => {
        const shutdown = await cli("control", "shutdown", "-d", node);
        expect(shutdown.code, shutdown.stderr).toBe(0);
        expect(shutdown.stdout).toBe(`Shutdown sent to ${node}.\n`);
        const ping = await cli("inspect", "ping", "-d", node, "-t", "1");
        expect(ping.code).toBe(69);
      }, 120_000);
    }
  });
}
