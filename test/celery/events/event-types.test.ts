import { describe, expect, it } from "vitest";
import { isKnownEvent, MalformedMessage, parseEvent } from "../../../src/celery/index";
import { capturedEvents, SCENARIOS, type Transport } from "./vectors";

const heartbeat = () => capturedEvents("00_worker_lifecycle").find((event) => event.type === "worker-heartbeat")!;
const succeeded = () => capturedEvents("01_single_task").find((event) => event.type === "task-succeeded")!;

function rejection(input: unknown): string {
  try {
    parseEvent(input);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedMessage);
    expect((error as MalformedMessage).code).toBe("MALFORMED_MESSAGE");
    return (error as Error).message;
  }
  throw new Error(`parseEvent accepted ${JSON.stringify(input)}`);
}

describe("parseEvent", () => {
  for (const transport of ["redis", "rabbitmq"] as Transport[]) {
    it(`accepts every event Celery 5.2.6 published in the ${transport} vectors, as a known type, unchanged`, () => {
      const events = SCENARIOS.flatMap((scenario) => capturedEvents(scenario, transport));
      expect(events.length).toBeGreaterThan(100);
      for (const raw of events) {
        const event = parseEvent(raw);
        expect(isKnownEvent(event)).toBe(true);
        expect(event).toEqual(raw);
      }
    });
  }

  it("returns a copy and leaves the caller's object alone", () => {
    const raw = succeeded();
    const event = parseEvent(raw);
    expect(event).not.toBe(raw);
    event.local_received = 1;
    expect(raw.local_received).toBeUndefined();
  });

  it("keeps an unknown type as a custom event with all its fields", () => {
    const event = parseEvent({ hostname: "celery@w1", clock: 3, uuid: "t1", progress: 0.5, timestamp: 1.5, type: "task-progress" });
    expect(isKnownEvent(event)).toBe(false);
    expect(event).toMatchObject({ type: "task-progress", uuid: "t1", progress: 0.5 });
  });

  it("treats the null clock of a blind event as absent, so the receiver can assign one", () => {
    const event = parseEvent({ ...heartbeat(), clock: null });
    expect("clock" in event).toBe(false);
  });

  it("rejects what is not an event object", () => {
    expect(rejection("task-sent")).toMatch(/must be a JSON object/);
    expect(rejection([succeeded()])).toMatch(/must be a JSON object/);
    expect(rejection(null)).toMatch(/must be a JSON object/);
  });

  it("names a missing or empty type", () => {
    const { type: _type, ...noType } = succeeded();
    expect(rejection(noType)).toMatch(/no "type" \(got missing\)/);
    expect(rejection({ ...succeeded(), type: "" })).toMatch(/no "type"/);
  });

  it("names a missing hostname and a missing or non-numeric timestamp", () => {
    const { hostname: _hostname, ...noHostname } = heartbeat();
    expect(rejection(noHostname)).toMatch(/"worker-heartbeat" has no string "hostname"/);
    const { timestamp: _timestamp, ...noTimestamp } = heartbeat();
    expect(rejection(noTimestamp)).toMatch(/no numeric "timestamp" \(got missing\)/);
    expect(rejection({ ...heartbeat(), timestamp: "2026-01-01T00:00:00" })).toMatch(/no numeric "timestamp" \(got "2026/);
  });

  it("requires a uuid on every task event, custom ones included", () => {
    const { uuid: _uuid, ...noUuid } = succeeded();
    expect(rejection(noUuid)).toMatch(/"task-succeeded" has no "uuid".*not "id"/);
    expect(rejection({ hostname: "w", timestamp: 1, type: "task-progress", id: "t1" })).toMatch(/"task-progress" has no "uuid"/);
  });

  it("names a known field of the wrong type", () => {
    expect(rejection({ ...succeeded(), runtime: "fast" })).toMatch(/"runtime" = "fast", expected a finite number/);
    expect(rejection({ ...heartbeat(), loadavg: "0.1 0.2 0.3" })).toMatch(/"loadavg".*an array of numbers/);
    expect(rejection({ ...heartbeat(), clock: "7" })).toMatch(/non-numeric "clock"/);
  });
});
