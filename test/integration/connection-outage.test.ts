// A broker that goes away, seen by a TypeScript worker: it logs the lost connection once, as a
// connection problem (never as a dropped or undecodable message), then its return, and runs tasks
// again. The outage is a TCP proxy the test cuts, in front of the real Redis and RabbitMQ.

import { afterEach, expect, it } from "vitest";
import { Celery, createBackend, createBroker } from "../../src/celery/index";
import type { Logger } from "../../src/server/runtime/logger";
import { describeWith } from "../support/services";
import { startTcpProxy } from "../support/tcp-proxy";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recordingLogger(lines: string[], component = "celeriac"): Logger {
  return {
    info: (message) => void lines.push(`INFO ${component}: ${message}`),
    warn: (message) => void lines.push(`WARN ${component}: ${message}`),
    error: (message) => void lines.push(`ERROR ${component}: ${message}`),
    child: (name) => recordingLogger(lines, `${component}.${name}`),
  };
}

async function until(what: string, condition: () => boolean | Promise<boolean>, seconds = 20): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

await describeWith(["redis", "rabbitmq"], "a broker that goes away", () => {
  for (const transport of ["redis", "rabbitmq"] as const) {
    it(`a TypeScript worker logs a lost ${transport} connection as such, once, and its return, and then runs tasks again`, { timeout: 90_000 }, async () => {
      const proxy = await startTcpProxy(transport === "redis" ? 6379 : 5672);
      cleanups.push(() => proxy.close());
      const brokerUrl = transport === "redis" ? `redis://127.0.0.1:${proxy.port}/0` : `amqp://guest:guest@127.0.0.1:${proxy.port}//`;
      const queue = `outage-${process.pid}-${Date.now()}`;
      const app = new Celery({ broker: createBroker(brokerUrl), backend: createBackend("redis://127.0.0.1:6379/0"), defaultQueue: queue });
      app.task("outage.add", (a: number, b: number) => a + b);
      const lines: string[] = [];
      const worker = app.worker({ queues: [queue], concurrency: 2, hostname: `outage-${transport}@${process.pid}`, logger: recordingLogger(lines) });
      await worker.start();
      cleanups.push(async () => {
        await worker.stop();
        await app.close();
      });
      const producer = new Celery({ broker: createBroker(transport === "redis" ? "redis://127.0.0.1:6379/0" : "amqp://guest:guest@127.0.0.1:5672//"), backend: createBackend("redis://127.0.0.1:6379/0"), defaultQueue: queue });
      cleanups.push(async () => {
        await producer.broker.purge(queue).catch(() => 0);
        await producer.close();
      });
      expect(await (await producer.sendTask("outage.add", [1, 2])).get({ timeout: 10_000 })).toBe(3);

      await proxy.cut();
      await until("the loss logged", () => lines.some((line) => /Lost the connection/.test(line)));
      await sleep(4_000);
      await proxy.restore();
      await until("the return logged", () => lines.some((line) => /^INFO .*(again|Reconnected)/.test(line)), 60);
      expect(await (await producer.sendTask("outage.add", [2, 3])).get({ timeout: 30_000 })).toBe(5);
      expect(lines.filter((line) => /Lost the connection/.test(line) && !/Remote control/.test(line))).toHaveLength(1);
      expect(lines.filter((line) => /undecodable/i.test(line))).toEqual([]);
    });
  }
});
