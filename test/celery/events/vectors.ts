// Reads the events Celery 5.2.6 put on the wire in the captured vectors
// (/work/shared/celery-reference/vectors, see its README).

import { readFileSync } from "node:fs";

const VECTORS = "/work/shared/celery-reference/vectors";

export type Transport = "redis" | "rabbitmq";

/** One event message: its exact body text and routing key. */
export interface CapturedMessage {
  routingKey: string;
  body: string;
}

interface RedisRecord {
  command: string[];
  envelope: { body: string };
}
interface AmqpRecord {
  routing_key: string;
  body_raw: string;
}

export function capturedMessages(scenario: string, transport: Transport): CapturedMessage[] {
  const file = JSON.parse(readFileSync(`${VECTORS}/${scenario}.${transport}.json`, "utf8")) as { events: (RedisRecord | AmqpRecord)[] };
  return file.events.map((record) => {
    if ("body_raw" in record) return { routingKey: record.routing_key, body: record.body_raw };
    const channel = record.command[1]!;
    return { routingKey: channel.slice(channel.indexOf("/", 1) + 1), body: Buffer.from(record.envelope.body, "base64").toString("utf8") };
  });
}

/** Every event object of a scenario in wire order, task.multi arrays flattened. */
export function capturedEvents(scenario: string, transport: Transport = "redis"): Record<string, unknown>[] {
  return capturedMessages(scenario, transport).flatMap((message) => {
    const body = JSON.parse(message.body) as Record<string, unknown> | Record<string, unknown>[];
    return Array.isArray(body) ? body : [body];
  });
}

export const SCENARIOS = [
  "00_worker_lifecycle",
  "01_single_task",
  "02_chain",
  "03_group",
  "04_chord",
  "05_login_workflow",
  "06_link_error",
  "07_autoretry",
  "08_map_starmap_chunks",
  "09_groupresult_save",
  "10_revoked_eta",
  "11_remote_control",
];
