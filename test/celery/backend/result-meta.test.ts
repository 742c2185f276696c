import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BackendError, decodeChordPart, decodeGroupMeta, decodeResultMeta, encodeChordPart, encodeGroupMeta, encodeResultMeta, type ResultMeta } from "../../../src/celery/index";
import { loadVector, VECTORS_DIR } from "../../support/vectors";

interface BackendRecord {
  command: string[];
  raw?: string;
  sanitized?: boolean;
}

// Every byte-exact value Celery 5.2.6 wrote into the result database across the recorded scenarios.
const records: BackendRecord[] = readdirSync(VECTORS_DIR)
  .filter((file) => file.endsWith(".redis.json"))
  .flatMap((file) => loadVector<{ backend: BackendRecord[] }>(file).backend)
  .filter((record) => record.raw !== undefined && !record.sanitized);

const taskDocs = records.filter((r) => r.command[0] === "SETEX" && r.command[1]!.startsWith("celery-task-meta-"));
const groupDocs = records.filter((r) => r.command[0] === "SETEX" && /^celery-taskset-meta-[^.]+$/.test(r.command[1]!));
const chordMembers = records.filter((r) => r.command[0] === "ZADD");

// Same fields, reversed insertion order: the encoder must impose Celery's order itself.
function reversed<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).reverse()) as T;
}

describe("result documents", () => {
  it("has recorded documents to compare against", () => {
    expect(taskDocs.length).toBeGreaterThan(50);
    expect(groupDocs.length).toBeGreaterThan(0);
    expect(chordMembers.length).toBeGreaterThan(0);
  });

  it("writes every task document exactly as Celery 5.2.6 did, from the same fields in any order", () => {
    for (const record of taskDocs) {
      const fields = reversed(JSON.parse(record.raw!) as ResultMeta);
      expect(encodeResultMeta(fields)).toBe(record.raw);
    }
  });

  it("writes saved groups and chord members exactly as Celery did", () => {
    for (const record of groupDocs) {
      const doc = JSON.parse(record.raw!) as { result: Parameters<typeof encodeGroupMeta>[0] };
      expect(encodeGroupMeta(decodeGroupMeta(record.raw!, record.command[1]!))).toBe(record.raw);
      expect(encodeGroupMeta(doc.result)).toBe(record.raw);
    }
    for (const record of chordMembers) {
      const [, taskId, state, result] = JSON.parse(record.raw!) as [number, string, string, unknown];
      expect(encodeChordPart({ taskId, state, result, groupIndex: Number(record.command[2]) })).toBe(record.raw);
      expect(decodeChordPart(record.raw!, record.command[1]!)).toEqual({ taskId, state, result, groupIndex: null });
    }
  });

  it("reads back every recorded document unchanged", () => {
    for (const record of taskDocs) {
      const taskId = record.command[1]!.slice("celery-task-meta-".length);
      expect(encodeResultMeta(decodeResultMeta(record.raw!, record.command[1]!, taskId))).toBe(record.raw);
    }
  });

  it("reads a Celery 5.4+ document: date_done with an offset, kombu typed wrappers, REVOKED written by revoke, stamps", () => {
    const text =
      '{"status": "REVOKED", "result": {"exc_type": "TaskRevokedError", "exc_message": ["revoked"], "exc_module": "celery.exceptions"}, "traceback": null, "children": null, ' +
      '"date_done": {"__type__": "datetime", "__value__": "2026-11-24T07:14:08.518195+00:00"}, "name": "proj.add", "args": [{"__type__": "uuid", "__value__": {"hex": "0c47dfabec81437d8cda46fafc6b0bff"}}], ' +
      '"kwargs": {}, "worker": null, "retries": 0, "queue": null, "stamped_headers": ["on_call"], "on_call": "x", "task_id": "t1"}';
    const meta = decodeResultMeta(text, "celery-task-meta-t1", "t1");
    expect(meta).toMatchObject({ status: "REVOKED", children: null, date_done: "2026-11-24T07:14:08.518+00:00", args: ["0c47dfab-ec81-437d-8cda-46fafc6b0bff"], on_call: "x", task_id: "t1" });
    expect(Object.keys(JSON.parse(encodeResultMeta(meta))).slice(-3)).toEqual(["stamped_headers", "on_call", "task_id"]);
  });

  it("rejects a stored value that is not JSON, not an object, lacks status, or carries a malformed exception, naming the key", () => {
    const key = "celery-task-meta-bad";
    for (const [text, problem] of [
      ["\x80\x04pickle", /not valid JSON/],
      ["[1, 2]", /a JSON list, not a result document/],
      ['{"result": 5}', /without a "status"/],
      ['{"status": "FAILURE", "result": "boom"}', /not an exception document/],
      ['{"status": "SUCCESS", "result": 1, "children": [["x"]]}', /children\[0\] is not a result tuple/],
    ] as const) {
      const error = (() => {
        try {
          decodeResultMeta(text, key, "bad");
        } catch (caught) {
          return caught;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(BackendError);
      expect((error as Error).message).toContain(key);
      expect((error as Error).message).toMatch(problem);
    }
  });
});
