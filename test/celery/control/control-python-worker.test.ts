// app.control and inspect against a real Python Celery 5.2.6 worker (test/python/peer.py) over
// Redis and RabbitMQ: what our client publishes is understood, and Python's replies are read.

import { afterAll, beforeAll, expect, it } from "vitest";
import { AmqpBroker, type Broker, Celery, RedisBackend, RedisBroker } from "../../../src/celery/index";
import { type PythonWorker, startPythonWorker } from "../../support/python-celery";
import { AMQP_URL, REDIS_URL, type Service, describeWith, uniqueName } from "../../support/services";

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const brokers: [Service, string, () => Broker][] = [
  ["redis", REDIS_URL, () => new RedisBroker(REDIS_URL)],
  ["rabbitmq", AMQP_URL, () => new AmqpBroker(AMQP_URL)],
];

for (const [service, brokerUrl, makeBroker] of brokers) {
  await describeWith(["python-celery", service, "redis"], `app.control with a Python Celery 5.2.6 worker over ${service}`, () => {
    const queue = uniqueName("control-py");
    let peer: PythonWorker;
    let app: Celery;
    let hostname: string;

    beforeAll(async () => {
      app = new Celery({ broker: makeBroker(), backend: new RedisBackend(REDIS_URL), defaultQueue: queue });
      [peer] = await Promise.all([startPythonWorker({ brokerUrl, backendUrl: REDIS_URL, queue }), app.connect()]);
      hostname = peer.hostname;
      // " ready." is logged just before the worker's event loop starts, and over Redis its pidbox
      // subscribes (pub/sub) only on the loop's first tick: a broadcast sent in between is lost.
      await waitFor(async () => (await app.control.ping({ destination: [hostname], timeout: 1000 })).length === 1, "the worker to answer a ping", 30_000);
    }, 60_000);

    afterAll(async () => {
      await peer?.stop();
      await app?.close();
    });

    it("pings the worker by name and gets pong; another name gets no reply", async () => {
      expect(await app.control.ping({ destination: [hostname], timeout: 5000 }), peer.output()).toEqual([{ [hostname]: { ok: "pong" } }]);
      expect(await app.control.ping({ destination: [`nobody-${queue}@nowhere`], timeout: 500 })).toEqual([]);
      // Without a destination every worker on the broker answers (other suites may run some): ours among them.
      const everyone = await app.control.ping({ timeout: 3000 });
      expect(everyone).toContainEqual({ [hostname]: { ok: "pong" } });
      // A glob the Python worker evaluates itself.
      expect(await app.control.inspect({ pattern: `peer-${queue}@*`, matcher: "glob", timeout: 3000 }).ping()).toEqual({ [hostname]: { ok: "pong" } });
    });

    it("lists the peer's registered tasks, its stats, queues and configuration", async () => {
      const inspect = app.control.inspect({ destination: [hostname], timeout: 5000 });
      expect((await inspect.registered())?.[hostname]).toEqual(expect.arrayContaining(["seedflow.add", "seedflow.sleeper", "seedflow.check_device"]));
      expect((await inspect.stats())?.[hostname]).toMatchObject({ pool: expect.objectContaining({ "max-concurrency": 2 }), prefetch_count: 8 });
      expect((await inspect.activeQueues())?.[hostname]).toEqual([expect.objectContaining({ name: queue, routing_key: queue })]);
      expect((await inspect.conf())?.[hostname]).toMatchObject({ task_default_queue: queue });
    });

    it("shows a running sleeper in inspect active and query_task, and revoke(terminate) ends it REVOKED/terminated", async () => {
      const result = await app.sendTask("seedflow.sleeper", [30]);
      const inspect = app.control.inspect({ destination: [hostname], timeout: 5000 });
      await waitFor(async () => ((await inspect.active())?.[hostname] ?? []).some((task) => task.id === result.id), "the sleeper to be active");
      const active = (await inspect.active())![hostname]!.find((task) => task.id === result.id)!;
      expect(active).toMatchObject({ name: "seedflow.sleeper", type: "seedflow.sleeper", args: [30], kwargs: {}, hostname, acknowledged: true, delivery_info: { routing_key: queue } });
      expect(typeof active.worker_pid).toBe("number");
      expect((await inspect.queryTask(result.id))?.[hostname]).toEqual({ [result.id]: ["active", expect.objectContaining({ id: result.id })] });

      const replies = await app.control.revoke(result.id, { terminate: true, reply: true, destination: [hostname], timeout: 5000 });
      expect(replies).toEqual([{ [hostname]: { ok: `terminate: ${result.id}` } }]);
      await waitFor(async () => (await result.state()) === "REVOKED", "REVOKED in the backend");
      // Celery 5.2 stores TaskRevokedError('terminated') as the result.
      expect((await result.meta()).result).toMatchObject({ exc_type: "TaskRevokedError", exc_message: ["terminated"] });
      expect((await inspect.revoked())?.[hostname]).toContain(result.id);
    }, 60_000);

    it("gets ok replies to rate_limit, time_limit and the events switches, and errors for an unknown task", async () => {
      const to = { destination: [hostname], reply: true, timeout: 5000 };
      expect(await app.control.rateLimit("seedflow.add", "10/m", to)).toEqual([{ [hostname]: { ok: "new rate limit set successfully" } }]);
      expect(await app.control.rateLimit("seedflow.add", null, to)).toEqual([{ [hostname]: { ok: "rate limit disabled successfully" } }]);
      expect(await app.control.rateLimit("seedflow.missing", "1/s", to)).toEqual([{ [hostname]: { error: "unknown task" } }]);
      expect(await app.control.timeLimit("seedflow.add", 5, 10, to)).toEqual([{ [hostname]: { ok: "time limits set successfully" } }]);
      // Under -E Celery 5.2's dispatcher has no group filter at all (every group is sent), which
      // both commands read as "nothing to change".
      expect(await app.control.enableEvents(to)).toEqual([{ [hostname]: { ok: "task events already enabled" } }]);
      expect(await app.control.disableEvents(to)).toEqual([{ [hostname]: { ok: "task events already disabled" } }]);
    });

    it("makes the peer consume from a new queue and stop again", async () => {
      const extra = `${queue}-extra`;
      const to = { destination: [hostname], reply: true, timeout: 5000 };
      expect(await app.control.addConsumer(extra, to)).toEqual([{ [hostname]: { ok: `add consumer ${extra}` } }]);
      const sum = await app.sendTask("seedflow.add", [2, 3], {}, { queue: extra });
      expect(await sum.get({ timeout: 20_000 })).toBe(5);
      expect(await app.control.cancelConsumer(extra, to)).toEqual([{ [hostname]: { ok: `no longer consuming from ${extra}` } }]);
      await app.broker.deleteQueue(extra);
    }, 30_000);
  });
}
