// Task events at a fixed rate, for the flood benchmarks: four events per task (sent, received,
// started, succeeded), batched as a Celery worker sends them (task.multi), from a process of their
// own so the process being measured does not pay for them.
// As a script: tsx bench/event-generator.ts <broker-url> <events-per-second> <seconds>; prints
// {"sent": n, "seconds": s}.

import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createBroker, EventDispatcher } from "../src/celery/index";

const EVENTS_PER_TASK = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function generate(url: string, rate: number, seconds: number): Promise<void> {
  const broker = createBroker(url);
  await broker.connect();
  const dispatcher = new EventDispatcher(broker, { hostname: `bench-worker-${process.pid}@localhost`, buffer: true, bufferLimit: 24 });
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  let sent = 0;
  for (let task = 0; ; ) {
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= seconds) break;
    // Ahead of the schedule: wait for it.
    if (sent >= rate * elapsed) {
      await sleep(2);
      continue;
    }
    const uuid = randomUUID();
    for (const sending of [
      dispatcher.send("task-sent", { uuid, name: "seedflow.add", args: `(${task}, 1)`, kwargs: "{}", retries: 0, root_id: uuid, parent_id: null, eta: null, expires: null, queue: "celery", exchange: "", routing_key: "celery" }),
      dispatcher.send("task-received", { uuid, name: "seedflow.add", args: `(${task}, 1)`, kwargs: "{}", retries: 0, root_id: uuid, parent_id: null, eta: null, expires: null }),
      dispatcher.send("task-started", { uuid }),
      dispatcher.send("task-succeeded", { uuid, result: String(task + 1), runtime: 0.0004 }),
    ]) {
      const tracked: Promise<void> = sending.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    task += 1;
    sent += EVENTS_PER_TASK;
    if (inFlight.size >= 4096) await Promise.race(inFlight);
  }
  await dispatcher.flush();
  await Promise.all(inFlight);
  const took = (performance.now() - start) / 1000;
  await dispatcher.close();
  await broker.close();
  console.log(JSON.stringify({ sent, seconds: took }));
}

/** Runs the generator as a child process; resolves with what it sent. */
export function floodEvents(url: string, rate: number, seconds: number): Promise<{ sent: number; seconds: number }> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), url, String(rate), String(seconds)], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once("exit", (code) => {
      try {
        resolve(JSON.parse(out.trim().split("\n").pop() ?? "") as { sent: number; seconds: number });
      } catch {
        reject(new Error(`the event generator exited with ${code}:\n${out}`));
      }
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [url, rate, seconds] = process.argv.slice(2);
  await generate(url!, Number(rate), Number(seconds));
}
