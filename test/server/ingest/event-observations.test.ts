import { describe, expect, it } from "vitest";
import { type CeleryEvent, ClusterState, parseEvent } from "../../../src/celery/index";
import { eventObservations } from "../../../src/server/ingest/event-observations";
import { IngestBuffer } from "../../../src/server/ingest/ingest-buffer";
import { capturedEvents, SCENARIOS } from "../../celery/events/vectors";
import { MemoryHistoryWriter } from "./memory-history-writer";

const events = (scenario: string): CeleryEvent[] => capturedEvents(scenario).map((raw) => parseEvent(raw));

describe("eventObservations", () => {
  it("maps the captured login workflow's check_device events to a task observation per event, source event", () => {
    const [sent, received, started] = events("05_login_workflow");
    expect(eventObservations(sent!)).toEqual({
      task: {
        id: (sent as { uuid: string }).uuid,
        source: "event",
        state: "PENDING",
        stateAt: sent!.timestamp,
        clock: sent!.clock,
        name: "seedflow.check_device",
        rootId: (sent as { uuid: string }).uuid,
        argsRepr: expect.any(String),
        kwargsRepr: "{}",
        retries: 0,
        queue: "celery",
        exchange: "",
        routingKey: "celery",
        sentAt: sent!.timestamp,
        event: { type: "task-sent", timestamp: sent!.timestamp, hostname: sent!.hostname, clock: sent!.clock, fields: expect.objectContaining({ name: "seedflow.check_device", root_id: expect.any(String) }) },
      },
    });
    // The client's hostname is not the worker.
    expect(eventObservations(sent!).task).not.toHaveProperty("worker");
    expect(eventObservations(received!).task).toMatchObject({ state: "RECEIVED", worker: "celery@capture", receivedAt: received!.timestamp });
    expect(eventObservations(started!).task).toMatchObject({ state: "STARTED", worker: "celery@capture", startedAt: started!.timestamp });
    // null root_id/parent_id/eta are "unknown", not values.
    expect(eventObservations(received!).task).not.toHaveProperty("parentId");
    expect(eventObservations(received!).task).not.toHaveProperty("eta");
  });

  it("gives a parent edge for a child task, and none for a retry re-sent with itself as parent", () => {
    const login = events("05_login_workflow");
    const edges = login.map((e) => eventObservations(e).edge).filter((edge) => edge !== undefined);
    const root = (login[0] as { uuid: string }).uuid;
    expect(edges.length).toBeGreaterThan(0);
    expect(edges.every((edge) => edge.kind === "parent" && edge.rootId === root && edge.fromId !== edge.toId)).toBe(true);
    // post_to_api's parent is save_event (the chord header's last member), as Celery's events say.
    const postToApi = login.find((e) => (e as { name?: string }).name === "seedflow.post_to_api")!;
    expect(eventObservations(postToApi).edge).toEqual({ rootId: root, fromId: (postToApi as { parent_id: string }).parent_id, toId: (postToApi as { uuid: string }).uuid, kind: "parent" });
    const retry = events("07_autoretry");
    expect(retry.some((e) => (e as { parent_id?: string; uuid?: string }).parent_id === (e as { uuid?: string }).uuid)).toBe(true);
    expect(retry.map((e) => eventObservations(e).edge).filter(Boolean)).toEqual([]);
  });

  it("carries result and runtime, exception and traceback, finishedAt on ready states", () => {
    const succeeded = events("01_single_task").find((e) => e.type === "task-succeeded")!;
    expect(eventObservations(succeeded).task).toMatchObject({ state: "SUCCESS", result: expect.any(String), runtime: expect.any(Number), finishedAt: succeeded.timestamp });
    const failed = events("06_link_error").find((e) => e.type === "task-failed")!;
    expect(eventObservations(failed).task).toMatchObject({ state: "FAILURE", exception: expect.stringContaining("Error"), traceback: expect.stringContaining("Traceback"), finishedAt: failed.timestamp });
    const retried = events("07_autoretry").find((e) => e.type === "task-retried")!;
    expect(eventObservations(retried).task).toMatchObject({ state: "RETRY", exception: expect.any(String) });
    expect(eventObservations(retried).task).not.toHaveProperty("finishedAt");
  });

  it("maps worker-online, heartbeat and offline to worker observations with freq, load and software", () => {
    const lifecycle = events("00_worker_lifecycle").filter((e) => e.type.startsWith("worker-"));
    const online = lifecycle.find((e) => e.type === "worker-online")!;
    expect(eventObservations(online)).toEqual({
      worker: {
        hostname: online.hostname,
        status: "online",
        at: online.timestamp,
        clock: online.clock,
        heartbeat: true,
        freq: 2,
        pid: online.pid,
        active: 0,
        processed: 0,
        loadavg: expect.any(Array),
        swIdent: "py-celery",
        swVer: "5.2.6",
        swSys: "Linux",
      },
    });
    const offline = lifecycle.find((e) => e.type === "worker-offline")!;
    expect(eventObservations(offline).worker).toMatchObject({ status: "offline", heartbeat: false, at: offline.timestamp });
  });

  it("keeps custom task events on the timeline without inventing a state, and ignores gossip", () => {
    const progress = parseEvent({ type: "task-progress", uuid: "t1", hostname: "celery@w", timestamp: 10, clock: 3, current: 5 });
    expect(eventObservations(progress)).toEqual({ task: { id: "t1", source: "event", worker: "celery@w", event: { type: "task-progress", timestamp: 10, hostname: "celery@w", clock: 3, fields: { current: 5 } } } });
    expect(eventObservations(parseEvent({ type: "worker-elect", hostname: "celery@w", timestamp: 10 }))).toEqual({});
  });

  it("merged through the buffer and the store's precedence rule, every captured scenario is where Celery's own State is after each batch", () => {
    for (const scenario of SCENARIOS) {
      for (const batchSize of [1, 2, 3, 5, 1000]) {
        const all = events(scenario);
        const writer = new MemoryHistoryWriter();
        const state = new ClusterState();
        for (let i = 0; i < all.length; i += batchSize) {
          const buffer = new IngestBuffer();
          for (const event of all.slice(i, i + batchSize)) {
            buffer.add(eventObservations(event));
            state.event(event);
          }
          void writer.applyBatch(buffer.toBatch());
          for (const task of state.tasks.values()) {
            expect({ scenario, batchSize, upTo: i, id: task.uuid, ...pick(writer.tasks.get(task.uuid)) }).toEqual({
              scenario,
              batchSize,
              upTo: i,
              id: task.uuid,
              state: task.state,
              name: task.name ?? undefined,
              worker: task.worker ?? undefined,
              result: task.result ?? undefined,
              exception: task.exception ?? undefined,
            });
          }
        }
        expect(writer.timelineEvents).toBe(all.filter((e) => e.type.startsWith("task-")).length);
      }
    }
  });
});

function pick(task: { state?: string; name?: string; worker?: string; result?: string; exception?: string } | undefined) {
  return { state: task?.state, name: task?.name, worker: task?.worker, result: task?.result, exception: task?.exception };
}
