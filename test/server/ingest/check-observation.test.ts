// The edge check every observation passes: values the store cannot hold, or no Celery cluster
// sends, are refused with the field named; real observations pass untouched.

import { describe, expect, it } from "vitest";
import { invalidReason } from "../../../src/server/ingest/check-observation";
import { eventObservations } from "../../../src/server/ingest/event-observations";
import type { IngestBatch } from "../../../src/server/ingest/observation";
import { parseEvent } from "../../../src/celery/index";

const GOOD = { type: "task-received", uuid: "t1", hostname: "celery@w1", timestamp: 1_733_400_000.25, clock: 12, name: "seedflow.add", args: "(2, 3)", kwargs: "{}", retries: 0, root_id: "t1", parent_id: null };

function observe(event: Record<string, unknown>): Partial<IngestBatch> {
  const observed = eventObservations(parseEvent(event));
  return { tasks: observed.task ? [observed.task] : [], workers: observed.worker ? [observed.worker] : [], edges: observed.edge ? [observed.edge] : [] };
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe("invalidReason", () => {
  it("passes real task and worker events", () => {
    expect(invalidReason(observe(GOOD))).toBeNull();
    expect(invalidReason(observe({ type: "worker-heartbeat", hostname: "celery@w1", timestamp: 1_733_400_000, clock: 3, freq: 2, active: 1, processed: 10, loadavg: [0.1, 0.2, 0.3], sw_ident: "py-celery", sw_ver: "5.2.6", sw_sys: "Linux" }))).toBeNull();
    expect(invalidReason(observe({ ...GOOD, result: "é ✓ 𝄞", args: "('Ünïcödé',)" }))).toBeNull();
  });

  // The list, and their neighbours.
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["timestamp 1e308", { timestamp: 1e308 }, /stateAt 1e\+308 is not a time in epoch seconds/],
    ["timestamp 1e13 (milliseconds)", { timestamp: 1e13 }, /not a time in epoch seconds/],
    ["a negative timestamp", { timestamp: -5 }, /not a time in epoch seconds/],
    ["a NUL in name", { name: "seed\0flow" }, /name contains a NUL character/],
    ["a NUL in args", { args: "(1, '\0')" }, /argsRepr contains a NUL character/],
    ["clock 1e19", { clock: 1e19 }, /clock 10000000000000000000 is not a whole number/],
    ["a fractional clock", { clock: 1.5 }, /clock 1.5 is not a whole number/],
    ["retries 3e9", { retries: 3e9 }, /retries 3000000000 is not a whole number/],
    ["negative retries", { retries: -1 }, /retries -1 is not a whole number/],
    ["a lone surrogate in result", { type: "task-succeeded", result: "\ud800", runtime: 0.1 }, /result contains a lone UTF-16 surrogate/],
    ["a lone low surrogate in kwargs", { kwargs: "{'a': '\udc00'}" }, /kwargsRepr contains a lone UTF-16 surrogate/],
    ["a 5 MB name", { name: "x".repeat(5_000_000) }, /name is 5,000,000 characters long/],
    ["a 2 MB argsrepr", { args: "x".repeat(2_000_000) }, /argsRepr is 2,000,000 characters long/],
    ["a 2,000-character root id", { root_id: "r".repeat(2_000) }, /rootId is 2,000 characters long/],
    ["a custom field nested 200 deep", { progress: nested(200) }, /nests deeper than 32 levels/],
    ["a NUL in a custom field's key", { ["bad\0key"]: 1 }, /event key contains a NUL character/],
    ["a lone surrogate deep in a custom field", { meta: { a: [{ b: "\ud83d" }] } }, /event\.meta\.a\.b contains a lone UTF-16 surrogate/],
  ];
  it.each(cases)("refuses %s", (_what, change, reason) => {
    expect(invalidReason(observe({ ...GOOD, ...change }))).toMatch(reason);
  });

  it("refuses worker events the store cannot hold", () => {
    const worker = { type: "worker-heartbeat", hostname: "celery@w1", timestamp: 1_733_400_000, freq: 2 };
    expect(invalidReason(observe({ ...worker, pid: 2 ** 40 }))).toMatch(/worker pid .* is not a whole number/);
    expect(invalidReason(observe({ ...worker, hostname: "w\0" }))).toMatch(/worker hostname contains a NUL/);
    expect(invalidReason(observe({ ...worker, loadavg: [1, 2, 3, 4] }))).toMatch(/loadavg is not a list of three numbers/);
    expect(invalidReason(observe({ ...worker, active: 3e9 }))).toMatch(/worker active 3000000000 is not a whole number/);
  });

  it("refuses no random but storable event (fuzz: 2,000 random values in the fields events may carry freely)", () => {
    const pick = <T>(values: T[]): T => values[Math.floor(Math.random() * values.length)]!;
    const storable = ["", "a", "é", "🍆", "x".repeat(500), 0, 1, 7.5, 2 ** 31 - 1, null, true, [], {}, [1, "b"], { k: "v" }];
    for (let i = 0; i < 2_000; i++) {
      const event: Record<string, unknown> = { ...GOOD };
      for (const key of ["custom", "progress", "meta", "stamps", "extra"]) if (Math.random() < 0.5) event[key] = pick(storable);
      expect(invalidReason(observe(event))).toBeNull();
    }
  });
});
