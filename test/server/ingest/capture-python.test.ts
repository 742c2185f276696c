// Capture from real Python Celery 5.2.6 on Redis and RabbitMQ: python/celeriac_capture.py in the
// producer (and in a worker, which sends the chain's later steps) publishes capture records that
// our capture consumer turns into the login workflow's true shape.

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type Broker, createBroker } from "../../../src/celery/index";
import { type CaptureConsumer, startCaptureConsumer } from "../../../src/server/ingest/capture-consumer";
import { type PeerConfig, type PythonWorker, startPythonWorker } from "../../support/python-celery";
import { AMQP_URL, describeWith, PYTHON, REDIS_URL, uniqueName } from "../../support/services";
import { HistoryModel } from "./history-model";

const TEST_PYTHON_DIR = fileURLToPath(new URL("../../python/", import.meta.url));
const CAPTURE_MODULE_DIR = fileURLToPath(new URL("../../../python/", import.meta.url));

interface Sent {
  root_id: string;
  final_id?: string;
  second_id?: string;
  published: number;
  failed: number;
}

/** Runs test/python/capture_producer.py: a Python producer with celeriac_capture installed. */
function pythonProducer(peer: PeerConfig, what: "login" | "add" | `many:${number}`, extraEnv: Record<string, string> = {}): Promise<Sent> {
  const env = { ...process.env, ...extraEnv, PYTHONPATH: `${TEST_PYTHON_DIR}:${CAPTURE_MODULE_DIR}`, PEER_BROKER_URL: peer.brokerUrl, PEER_RESULT_BACKEND: peer.backendUrl, PEER_QUEUE: peer.queue, CAPTURE_QUEUE: `${peer.queue}.capture`, CAPTURE_WHAT: what };
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ["capture_producer.py"], { cwd: TEST_PYTHON_DIR, env, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`capture_producer.py failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split("\n").pop()!) as Sent);
    });
  });
}

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const LOGIN_SHAPE = [
  "chain seedflow.check_device → group{seedflow.notify_user,seedflow.save_event}",
  "chain seedflow.post_to_api → seedflow.post_process",
  "chord group{seedflow.notify_user,seedflow.save_event} → seedflow.post_to_api",
];

for (const [name, url, service] of [["Redis", REDIS_URL, "redis"], ["RabbitMQ", AMQP_URL, "rabbitmq"]] as const) {
  await describeWith([service, "redis", "python-celery"], `capture from Python Celery on ${name}`, () => {
    let broker: Broker;
    let peer: PeerConfig;
    let consumer: CaptureConsumer | undefined;
    let worker: PythonWorker | undefined;
    const errors: string[] = [];
    let history: HistoryModel;

    beforeEach(async () => {
      broker = createBroker(url);
      await broker.connect();
      peer = { brokerUrl: url, backendUrl: REDIS_URL, queue: uniqueName("capture-py") };
      history = new HistoryModel();
      errors.length = 0;
      consumer = await startCaptureConsumer({ broker, writer: history, queue: `${peer.queue}.capture`, onError: (error, kind) => errors.push(`${kind}: ${error.message}`) });
    });

    afterEach(async () => {
      await worker?.stop();
      worker = undefined;
      await consumer?.stop();
      for (const queue of [peer.queue, `${peer.queue}.capture`]) await broker.deleteQueue(queue).catch(() => undefined);
      await broker.close();
    });

    it("reads the login workflow's whole plan from the producer's one record", async () => {
      const sent = await pythonProducer(peer, "login");
      expect(sent).toMatchObject({ published: 1, failed: 0 });
      await until("one record applied", () => consumer!.stats.applied === 1);
      expect(history.shape(sent.root_id)).toEqual(LOGIN_SHAPE);
      expect(history.tasks.get(sent.root_id)).toMatchObject({ state: "PENDING", name: "seedflow.check_device", argsJson: '["u1", "pixel-9"]', queue: peer.queue });
      expect(history.tasks.get(sent.final_id!)).toMatchObject({ state: "PLANNED", name: "seedflow.post_process" });
      expect(history.placeholders()).toHaveLength(1);
      expect(errors).toEqual([]);
    });

    it("folds the records a capturing Python worker sends for the later steps into the same five nodes", async () => {
      worker = await startPythonWorker({ ...peer, appModule: "capture_peer" });
      const sent = await pythonProducer(peer, "login");
      // check_device, notify_user, save_event, post_to_api, post_process: one record each.
      // Through the Python worker's two pool processes on a loaded machine: a generous deadline.
      await until("five records applied", () => consumer!.stats.applied === 5, 40_000);
      expect(history.shape(sent.root_id)).toEqual(LOGIN_SHAPE);
      expect(history.placeholders()).toEqual([]);
      expect(history.tasks.size).toBe(5);
      expect([...history.tasks.values()].every((t) => t.state === "PENDING" && t.rootId === sent.root_id)).toBe(true);
      const [group] = [...history.groups.values()];
      expect(history.groups.size).toBe(1);
      expect(group).toMatchObject({ size: 2, parentId: sent.root_id, chordBodyId: history.tasks.get(sent.final_id!)!.parentId });
      expect(history.tasks.get(sent.final_id!)!.argsJson).toBe('[{"score": 2}]');
      expect(errors).toEqual([]);
    }, 90_000);

    it("keeps the capture queue within max_length while nobody consumes it, dropping the oldest records", async () => {
      await consumer!.stop();
      consumer = undefined;
      // Every declarer must agree on x-max-length (RabbitMQ refuses another value): start afresh at 20.
      await broker.deleteQueue(`${peer.queue}.capture`);
      const sent = await pythonProducer(peer, "many:55", { CAPTURE_MAX_LENGTH: "20", CAPTURE_TRIM_EVERY: "10" });
      expect(sent).toMatchObject({ published: 55, failed: 0 });
      // RabbitMQ enforces x-max-length itself; on Redis the module trims every 10th record, so the
      // 5 published after the last trim (at 50) sit on top of the 20 it kept.
      expect(await broker.queueSize(`${peer.queue}.capture`)).toBe(service === "redis" ? 25 : 20);
      consumer = await startCaptureConsumer({ broker, writer: history, queue: `${peer.queue}.capture`, maxLength: 20, onError: (error, kind) => errors.push(`${kind}: ${error.message}`) });
      await until("the kept records", () => history.tasks.has(sent.second_id!));
      expect(history.tasks.has(sent.root_id)).toBe(false);
      expect(errors).toEqual([]);
    });

    it("never fails the app's publish when a record cannot be published: it counts the failure", async () => {
      await consumer!.stop();
      consumer = undefined;
      const capture = `${peer.queue}.capture`;
      // Break the capture queue from the inside: RabbitMQ refuses a declaration with another
      // x-max-length than the queue has; Redis refuses LPUSH onto a key that is not a list.
      const redis = service === "redis" ? new Redis(url) : undefined;
      let extraEnv: Record<string, string> = {};
      if (redis) {
        await broker.deleteQueue(capture);
        await redis.set(capture, "not a list");
      } else {
        await broker.declareQueue({ name: capture, durable: true, arguments: { "x-max-length": 100_000 } });
        extraEnv = { CAPTURE_MAX_LENGTH: "7" };
      }
      try {
        const sent = await pythonProducer(peer, "add", extraEnv);
        expect(sent).toMatchObject({ published: 0, failed: 2 });
        // Both task messages were sent all the same.
        expect(await broker.queueSize(peer.queue)).toBe(2);
      } finally {
        await redis?.del(capture);
        redis?.disconnect();
      }
    });
  });
}
