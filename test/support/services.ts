// Gates for tests that need a real service or Python Celery. Under CI=true a missing service is a
// failure (the suite must never pass by skipping); elsewhere the tests skip with a one-line reason.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { describe } from "vitest";

export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379/0";
export const AMQP_URL = process.env.TEST_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672//";
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
/** Debian's interpreter: the one `apt-get install python3-celery` serves. */
export const PYTHON = process.env.TEST_CELERY_PYTHON ?? "/usr/bin/python3";
/** Debian's Chromium, driven by playwright-core in the browser tests. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export type Service = "redis" | "rabbitmq" | "postgres" | "python-celery" | "chromium" | "promtool";

const inCi = process.env.CI === "true";

function portOpenOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(5000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

// A busy machine (two cores, parallel test files) can delay an accept: try a few times before
// declaring a service missing.
async function portOpen(port: number): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await portOpenOnce(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

// Asynchronous on purpose: a blocking child process would stall the port probes running beside it.
async function pythonCeleryVersion(): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)(PYTHON, ["-c", "import celery, redis; print(celery.__version__)"], { encoding: "utf8" });
    return stdout.trim();
  } catch {
    return null;
  }
}

/** Why the service is unusable, or null when it is up. */
async function missing(service: Service): Promise<string | null> {
  switch (service) {
    case "redis":
      return (await portOpen(6379)) ? null : "Redis is not listening on 127.0.0.1:6379";
    case "rabbitmq":
      return (await portOpen(5672)) ? null : "RabbitMQ is not listening on 127.0.0.1:5672";
    case "postgres":
      return (await portOpen(5432)) ? null : "PostgreSQL is not listening on 127.0.0.1:5432";
    case "python-celery":
      return (await pythonCeleryVersion()) ? null : `${PYTHON} cannot import celery (apt-get install python3-celery python3-redis)`;
    case "chromium":
      return existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`;
    case "promtool":
      return (await promisify(execFile)("promtool", ["--version"]).then(() => true, () => false)) ? null : "promtool is missing (apt-get install prometheus)";
  }
}

const reasons = new Map<Service, Promise<string | null>>();
function check(service: Service): Promise<string | null> {
  let reason = reasons.get(service);
  if (!reason) {
    reason = missing(service);
    reasons.set(service, reason);
  }
  return reason;
}

/**
 * `describe` that runs only when every named service is up. In CI a missing service throws, so
 * the file fails loudly instead of reporting green.
 */
export async function describeWith(services: Service[], name: string, body: () => void): Promise<void> {
  const why = (await Promise.all(services.map(check))).filter((r): r is string => r !== null);
  if (why.length === 0) {
    describe(name, body);
    return;
  }
  if (inCi) throw new Error(`CI=true but a required service is missing: ${why.join("; ")}`);
  console.warn(`skipping "${name}": ${why.join("; ")}`);
  describe.skip(name, body);
}

/** A unique prefix for queue and key names, so tests never see each other's traffic. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}
