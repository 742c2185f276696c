import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { buildTaskMessage, type Message, parseTaskMessage, pyJsonStringify, type SignatureDict, type TaskMessageSpec } from "../../../src/celery/index";
import { describeWith, PYTHON } from "../../support/services";

const VECTORS = "/work/shared/celery-reference/vectors";

interface RedisRecord {
  phase: string;
  raw: string;
  envelope: { body: string; "content-type": string; "content-encoding": string; headers: Record<string, unknown>; properties: Record<string, unknown> };
}
interface AmqpRecord {
  phase: string;
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
  body_raw: string;
}

function vector<T>(name: string): T[] {
  return (JSON.parse(readFileSync(`${VECTORS}/${name}.json`, "utf8")) as { task_messages: T[] }).task_messages;
}

// Only ids, clocks and the sender's identity are taken from the capture; everything else comes
// from what the Python client asked for.
function captured(headers: Record<string, unknown>, properties: Record<string, unknown>) {
  return {
    id: headers.id as string,
    origin: headers.origin as string,
    reply_to: properties.reply_to as string,
    eta: headers.eta as string | null,
    expires: headers.expires as string | null,
  };
}

// kombu's Producer.publish always passes priority (0 by default); transports write it.
const transportProperties = (message: Message) => ({ ...message.properties, priority: message.properties.priority ?? 0 });

describe("buildTaskMessage against Celery 5.2.6 captures", () => {
  const redis = vector<RedisRecord>("01_single_task.redis");
  const amqp = vector<AmqpRecord>("01_single_task.rabbitmq");

  it("reproduces add.delay(2, 3) on Redis: header order, header bytes and body bytes", () => {
    const record = redis[0]!;
    const message = buildTaskMessage({ ...captured(record.envelope.headers, record.envelope.properties), task: "seedflow.add", args: [2, 3] });
    expect(pyJsonStringify(message.headers)).toBe(pyJsonStringify(record.envelope.headers));
    expect(record.raw).toContain(`"headers": ${pyJsonStringify(message.headers)}`);
    expect(message.body.toString("base64")).toBe(record.envelope.body);
    expect(message.contentType).toBe(record.envelope["content-type"]);
    expect(message.contentEncoding).toBe(record.envelope["content-encoding"]);
    const { delivery_info: _i, body_encoding: _e, delivery_tag: _t, ...properties } = record.envelope.properties;
    expect(pyJsonStringify(transportProperties(message))).toBe(pyJsonStringify(properties));
  });

  it("puts priority=5 into the properties only", () => {
    const record = redis[1]!;
    const message = buildTaskMessage({ ...captured(record.envelope.headers, record.envelope.properties), task: "seedflow.add", args: [2, 3], priority: 5 });
    expect(pyJsonStringify(message.headers)).toBe(pyJsonStringify(record.envelope.headers));
    expect(message.properties.priority).toBe(5);
    expect(record.envelope.properties.priority).toBe(5);
  });

  it("reproduces the AMQP body text and headers of both 01 messages", () => {
    for (const [record, priority] of [[amqp[0]!, undefined], [amqp[1]!, 5]] as const) {
      const message = buildTaskMessage({ ...captured(record.headers, record.properties), task: "seedflow.add", args: [2, 3], priority });
      expect(message.body.toString("utf8")).toBe(record.body_raw);
      expect(pyJsonStringify(message.headers)).toBe(pyJsonStringify(record.headers));
      const { content_encoding: _e, content_type: _t, ...properties } = record.properties;
      expect(transportProperties(message)).toEqual(properties);
    }
  });

  it("reproduces the countdown=5 message of 10_revoked_eta with its eta header", () => {
    for (const name of ["10_revoked_eta.redis", "10_revoked_eta.rabbitmq"]) {
      const record = vector<RedisRecord & AmqpRecord>(name)[0]!;
      const headers = record.envelope?.headers ?? record.headers;
      const message = buildTaskMessage({ ...captured(headers, record.envelope?.properties ?? record.properties), task: "seedflow.add", args: [1, 1] });
      expect(message.headers.eta).toMatch(/\+00:00$/);
      expect(pyJsonStringify(message.headers)).toBe(pyJsonStringify(headers));
    }
  });
});

describe("buildTaskMessage", () => {
  const base: TaskMessageSpec = { id: "t1", task: "proj.add", origin: "gen1@host", reply_to: "oid" };

  it("writes Date etas as Python isoformat with +00:00", () => {
    const message = buildTaskMessage({ ...base, eta: new Date("2026-01-02T03:04:05.678Z"), expires: new Date("2026-01-02T03:04:06Z") });
    expect(message.headers.eta).toBe("2026-01-02T03:04:05.678000+00:00");
    expect(message.headers.expires).toBe("2026-01-02T03:04:06+00:00");
  });

  it("turns expiration seconds into a millisecond string and clamps the past to 0", () => {
    expect(buildTaskMessage({ ...base, expiration: 1.5 }).properties.expiration).toBe("1500");
    expect(buildTaskMessage({ ...base, expiration: -3 }).properties.expiration).toBe("0");
  });

  it("appends custom headers after Celery's and keeps an overridden one in place", () => {
    const keys = Object.keys(buildTaskMessage({ ...base, headers: { "x-a": 1, retries: 4 } }).headers);
    expect(keys.slice(-2)).toEqual(["ignore_result", "x-a"]);
    expect(keys.indexOf("retries")).toBe(8);
  });

  it("compresses with zlib under the application/x-gzip header and parses it back", () => {
    const message = buildTaskMessage({ ...base, args: [1], compression: "zlib" });
    expect(message.headers.compression).toBe("application/x-gzip");
    expect(message.body.subarray(0, 2).toString("hex")).toBe("789c");
    expect(parseTaskMessage(message).args).toEqual([1]);
  });

  it("refuses args that are not an array and kwargs that are not an object", () => {
    expect(() => buildTaskMessage({ ...base, args: "x" as unknown as unknown[] })).toThrow(/args must be an array/);
    expect(() => buildTaskMessage({ ...base, kwargs: [] as unknown as Record<string, unknown> })).toThrow(/kwargs must be a plain object/);
  });
});

function v2(headers: Record<string, unknown>, body: unknown, properties: Record<string, unknown> = {}): Message {
  return { body: Buffer.from(JSON.stringify(body)), contentType: "application/json", contentEncoding: "utf-8", headers, properties };
}

const EMBED = { callbacks: null, errbacks: null, chain: null, chord: null };

describe("parseTaskMessage", () => {
  it("reads back every field of a message we built", () => {
    const link: SignatureDict = { task: "proj.log", args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false };
    const message = buildTaskMessage({
      id: "t1", task: "proj.add", args: [1, 2], kwargs: { k: "v" }, origin: "gen1@h", reply_to: "oid", priority: 3, group: "g", group_index: 1,
      parent_id: "p", root_id: "r", retries: 2, time_limit: 10, soft_time_limit: 5, shadow: "s", eta: "2026-01-01T00:00:00+00:00", callbacks: [link], headers: { "x-tenant": "acme" },
    });
    const request = parseTaskMessage(message);
    expect(request).toMatchObject({
      protocol: 2, id: "t1", task: "proj.add", args: [1, 2], kwargs: { k: "v" }, group: "g", group_index: 1, parent_id: "p", root_id: "r", retries: 2,
      timelimit: [10, 5], shadow: "s", eta: "2026-01-01T00:00:00+00:00", origin: "gen1@h", reply_to: "oid", correlation_id: "t1", priority: 3,
      argsrepr: "(1, 2)", kwargsrepr: "{'k': 'v'}", headers: { "x-tenant": "acme" }, replaced_task_nesting: 0, stamped_headers: null, stamps: {},
    });
    expect(request.embed.callbacks).toEqual([link]);
  });

  it("parses every task message captured from Celery 5.2.6", () => {
    for (const name of ["02_chain", "04_chord", "05_login_workflow", "06_link_error", "08_map_starmap_chunks"]) {
      for (const record of vector<RedisRecord>(`${name}.redis`)) {
        const { envelope } = record;
        const message: Message = { body: Buffer.from(envelope.body, "base64"), contentType: envelope["content-type"], contentEncoding: envelope["content-encoding"], headers: envelope.headers, properties: envelope.properties };
        const request = parseTaskMessage(message);
        expect(request.id).toBe(envelope.headers.id);
        expect(request.task).toBe(envelope.headers.task);
      }
    }
  });

  it("reads the Celery 5.3+ headers and a 5.0 chord_size inside a signature", () => {
    const sig = { task: "proj.cb", args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false, chord_size: null };
    const request = parseTaskMessage(
      v2({ lang: "py", task: "proj.add", id: "t1", root_id: "t1", replaced_task_nesting: 1, stamped_headers: ["tenant"], stamps: { tenant: "acme" }, redelivered: true }, [[], {}, { ...EMBED, chord: sig }]),
    );
    expect(request).toMatchObject({ replaced_task_nesting: 1, stamped_headers: ["tenant"], stamps: { tenant: "acme" }, headers: { redelivered: true } });
    expect(request.embed.chord).toEqual(sig);
  });

  it("accepts a protocol 1 body, taking the group from taskset", () => {
    const request = parseTaskMessage(
      v2({}, { task: "proj.add", id: "t1", args: [1], kwargs: {}, retries: 1, eta: "2026-01-01T00:00:00", taskset: "g1", utc: true, callbacks: [{ task: "proj.cb" }], timelimit: [null, 3] }),
    );
    expect(request).toMatchObject({ protocol: 1, id: "t1", task: "proj.add", args: [1], retries: 1, group: "g1", timelimit: [null, 3], utc: true });
    expect(request.embed.callbacks?.[0]).toEqual({ task: "proj.cb", args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false });
  });

  it("accepts a hybrid message: v1 body, headers overriding it", () => {
    const request = parseTaskMessage(v2({ task: "proj.add", id: "t1", root_id: "r1" }, { task: "old", id: "t0", args: [2], kwargs: { a: 1 } }));
    expect(request).toMatchObject({ protocol: 1, id: "t1", task: "proj.add", root_id: "r1", args: [2], kwargs: { a: 1 } });
  });

  it.each([
    ["a missing id", v2({ lang: "py", task: "proj.add" }, [[], {}, EMBED]), /"id" is missing/],
    ["a missing task", v2({}, { id: "t1", args: [] }), /"task" is missing/],
    ["args that are not an array", v2({ task: "proj.add", id: "t1" }, [{}, {}, EMBED]), /"args" must be an array/],
    ["kwargs that are not an object", v2({ task: "proj.add", id: "t1" }, [[], [], EMBED]), /"kwargs" must be an object/],
    ["a body that is not a triple", v2({ task: "proj.add", id: "t1" }, [[], {}]), /"body" must be \[args, kwargs, embed\]/],
    ["an embed that is not an object", v2({ task: "proj.add", id: "t1" }, [[], {}, "x"]), /"embed" must be an object/],
    ["a callback without a task name", v2({ task: "proj.add", id: "t1" }, [[], {}, { ...EMBED, callbacks: [{ args: [] }] }]), /"embed.callbacks\[0\].task"/],
    ["a chord that is a list", v2({ task: "proj.add", id: "t1" }, [[], {}, { ...EMBED, chord: [] }]), /"embed.chord" must be a signature/],
    ["a timelimit of one number", v2({ task: "proj.add", id: "t1", timelimit: 3 }, [[], {}, EMBED]), /"timelimit"/],
    ["an unreadable eta", v2({ task: "proj.add", id: "t1", eta: "tomorrow" }, [[], {}, EMBED]), /"eta" "tomorrow" is not an ISO-8601/],
    ["negative retries", v2({ task: "proj.add", id: "t1", retries: -1 }, [[], {}, EMBED]), /"retries" must not be negative/],
  ])("rejects %s with MalformedMessage naming the field", (_what, message, pattern) => {
    expect(() => parseTaskMessage(message)).toThrow(expect.objectContaining({ code: "MALFORMED_MESSAGE", message: expect.stringMatching(pattern) }));
  });

  it("refuses pickle naming the content type, and undecodable JSON as DecodeError", () => {
    const pickle = { ...v2({ task: "a", id: "b" }, []), contentType: "application/x-python-serialize", contentEncoding: "binary" };
    expect(() => parseTaskMessage(pickle)).toThrow(expect.objectContaining({ code: "CONTENT_DISALLOWED", message: expect.stringMatching(/application\/x-python-serialize.*pickle.*json/) }));
    expect(() => parseTaskMessage({ ...v2({}, []), body: Buffer.from([0xff, 0xfe]) })).toThrow(expect.objectContaining({ code: "DECODE_ERROR" }));
    expect(() => parseTaskMessage({ ...v2({}, []), body: Buffer.from("[1,") })).toThrow(expect.objectContaining({ code: "DECODE_ERROR" }));
  });

  it("refuses compressions other than zlib with a clear error", () => {
    const message = { ...v2({ task: "a", id: "b", compression: "application/x-bz2" }, []), body: deflateSync("[]") };
    expect(() => parseTaskMessage(message)).toThrow(/application\/x-bz2.*only application\/x-gzip/);
  });
});

const CAPTURE_SCRIPT = fileURLToPath(new URL("../../python/capture_messages.py", import.meta.url));

interface LiveCase {
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: Record<string, unknown>;
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
  content_type: string;
  content_encoding: string;
  body: string;
}

function specFor(live: LiveCase): TaskMessageSpec {
  const o = live.options;
  return {
    ...captured(live.headers, live.properties),
    task: "capture.add",
    args: live.args,
    kwargs: live.kwargs,
    priority: o.priority as number | undefined,
    expiration: o.expires as number | undefined,
    time_limit: o.time_limit as number | undefined,
    soft_time_limit: o.soft_time_limit as number | undefined,
    headers: o.headers as Record<string, unknown> | undefined,
    shadow: o.shadow as string | undefined,
    callbacks: o.link ? [o.link as SignatureDict] : undefined,
    errbacks: o.link_error ? [o.link_error as SignatureDict] : undefined,
    group: o.group_id as string | undefined,
    group_index: o.group_index as number | undefined,
    ignore_result: o.ignore_result as boolean | undefined,
  };
}

await describeWith(["python-celery"], "buildTaskMessage against live Python Celery (test/python/capture_messages.py)", () => {
  const cases = JSON.parse(execFileSync(PYTHON, [CAPTURE_SCRIPT], { encoding: "utf8" })) as LiveCase[];

  it.each(cases.map((c) => [c.name, c] as const))("matches Celery byte for byte: %s", (_name, live) => {
    const message = buildTaskMessage(specFor(live));
    expect(pyJsonStringify(message.headers)).toBe(pyJsonStringify(live.headers));
    expect(message.body.toString("base64")).toBe(live.body);
    expect(pyJsonStringify(transportProperties(message))).toBe(pyJsonStringify(live.properties));
    expect([message.contentType, message.contentEncoding]).toEqual([live.content_type, live.content_encoding]);
  });
});
