// backendObservations over the result documents real Celery 5.2.6 wrote (the in-repo captures):
// every document maps to its task's truth, and children/saved groups give the workflow's shape.

import { describe, expect, it } from "vitest";
import { decodeResultMeta, decodeGroupMeta, pendingMeta, type ResultMeta } from "../../../src/celery/index";
import { backendObservations, isAbsentDocument, savedGroupObservations } from "../../../src/server/ingest/backend-observations";
import { loadVector } from "../../support/vectors";

interface BackendRecord {
  command: string[];
  raw?: string;
}

const SCENARIOS = ["01_single_task", "02_chain", "03_group", "04_chord", "05_login_workflow", "06_link_error", "07_autoretry", "08_map_starmap_chunks", "09_groupresult_save", "10_revoked_eta"];

/** Every SET/SETEX of a `celery-*-meta-` key in a capture, in write order, with its value. */
function writes(scenario: string, broker: "redis" | "rabbitmq" = "redis"): { key: string; value: string }[] {
  const { backend } = loadVector<{ backend: BackendRecord[] }>(`${scenario}.${broker}`);
  return backend
    .filter(({ command }) => (command[0] === "SETEX" || command[0] === "SET") && /^celery-task(set)?-meta-[^.]+$/.test(command[1]!))
    .map(({ command, raw }) => ({ key: command[1]!, value: command.at(-1) === "<raw>" ? raw! : command.at(-1)! }));
}

/** The last document Celery stored for each task of a scenario (its final state). */
function finalDocuments(scenario: string, broker: "redis" | "rabbitmq" = "redis"): Map<string, ResultMeta> {
  const docs = new Map<string, ResultMeta>();
  for (const { key, value } of writes(scenario, broker)) {
    if (!key.startsWith("celery-task-meta-")) continue;
    const id = key.slice("celery-task-meta-".length);
    docs.set(id, decodeResultMeta(value, key, id));
  }
  return docs;
}

describe("backendObservations over Celery 5.2.6 result documents", () => {
  it("maps every stored document of every scenario and broker to its task: state, time, name, real args, worker, queue, retries", () => {
    let count = 0;
    for (const scenario of SCENARIOS) {
      for (const broker of ["redis", "rabbitmq"] as const) {
        for (const { key, value } of writes(scenario, broker)) {
          if (!key.startsWith("celery-task-meta-")) continue;
          const meta = decodeResultMeta(value, key, key.slice("celery-task-meta-".length));
          const raw = JSON.parse(value) as Record<string, unknown>;
          const [task] = backendObservations(meta).tasks;
          expect(task).toMatchObject({ id: meta.task_id, source: "backend", state: raw.status, name: raw.name, worker: raw.worker, queue: raw.queue, retries: raw.retries });
          expect(JSON.parse(task!.argsJson!)).toEqual(raw.args);
          expect(JSON.parse(task!.kwargsJson!)).toEqual(raw.kwargs);
          if (raw.date_done) expect(task!.stateAt).toBeCloseTo(Date.parse(`${raw.date_done as string}Z`) / 1000, 3);
          else expect(task!.stateAt).toBeUndefined();
          expect(task!.parentId).toBe(raw.parent_id);
          expect(task!.groupId).toBe(raw.group_id);
          count++;
        }
      }
    }
    expect(count).toBe(134);
  });

  it("keeps a success's result as JSON and a STARTED document's pid/hostname out of it", () => {
    const { value, key } = writes("05_login_workflow").find(({ value }) => value.includes('"seedflow.check_device"') && value.includes("SUCCESS"))!;
    const meta = decodeResultMeta(value, key, key.slice(17));
    const [task] = backendObservations(meta).tasks;
    expect(JSON.parse(task!.result!)).toEqual({ user_id: "u1", device: "pixel-9", new: true });
    expect(task!.finishedAt).toBe(task!.stateAt);
    const started = writes("05_login_workflow").find(({ value }) => value.includes('"STARTED"'))!;
    const [running] = backendObservations(decodeResultMeta(started.value, started.key, started.key.slice(17))).tasks;
    expect(running).toMatchObject({ state: "STARTED", worker: "celery@capture" });
    expect(running!.result).toBeUndefined();
    expect(running!.finishedAt).toBeUndefined();
  });

  it("gives a failure its exception repr and traceback, and a revoked task Celery's TaskRevokedError", () => {
    const failed = [...finalDocuments("06_link_error").values()].find((meta) => meta.status === "FAILURE" && (meta.args as unknown[])[0] === "boom")!;
    const [task] = backendObservations(failed).tasks;
    expect(task).toMatchObject({ state: "FAILURE", exception: "ValueError('boom')" });
    expect(task!.traceback).toContain("ValueError: boom");
    expect(task!.result).toBeUndefined();
    const revoked = [...finalDocuments("10_revoked_eta").values()].find((meta) => meta.status === "REVOKED")!;
    expect(backendObservations(revoked).tasks[0]).toMatchObject({ state: "REVOKED", exception: "TaskRevokedError('revoked')" });
    const retrying = writes("07_autoretry").find(({ value }) => value.startsWith('{"status": "RETRY"'))!;
    expect(backendObservations(decodeResultMeta(retrying.value, retrying.key, retrying.key.slice(17))).tasks[0]).toMatchObject({ state: "RETRY", exception: "ConnectionError('upstream unavailable')" });
  });

  it("turns a chain's children into the next step, PENDING until its own document is read, with a parent edge under the root", () => {
    const report = loadVector<{ client_report: { task_ids_first_to_last: string[] } }>("02_chain.redis").client_report;
    const [first, second] = report.task_ids_first_to_last as [string, string, string];
    const out = backendObservations(finalDocuments("02_chain").get(first)!);
    // A worker wrote it (result_extended) without a parent_id: a root, its own root_id.
    expect(out.tasks).toEqual([expect.objectContaining({ id: first, rootId: first, state: "SUCCESS" }), { id: second, source: "backend", state: "PENDING", rootId: first, parentId: first }]);
    expect(out.edges).toEqual([{ rootId: first, fromId: first, toId: second, kind: "parent" }]);
    expect(out.taskIds).toEqual([second]);
    // The second step knows its parent but not its root, unless the reader says which workflow it walks.
    const next = finalDocuments("02_chain").get(second)!;
    expect(backendObservations(next).tasks[0]!.rootId).toBeUndefined();
    expect(backendObservations(next).edges).toEqual([]);
    expect(backendObservations(next, { rootId: first }).edges).toEqual([
      { rootId: first, fromId: first, toId: second, kind: "parent" },
      { rootId: first, fromId: second, toId: report.task_ids_first_to_last[2], kind: "parent" },
    ]);
  });

  it("turns a group child (a GroupResult tuple) into a group with its members in group order", () => {
    const docs = finalDocuments("05_login_workflow");
    const root = [...docs.values()].find((meta) => meta.name === "seedflow.check_device")!;
    const [[groupId], members] = root.children![0]! as [[string, null], [[string, null], null][]];
    const memberIds = members.map(([[id]]) => id);
    const out = backendObservations(root);
    expect(out.groups).toEqual([{ id: groupId, rootId: root.task_id, parentId: root.task_id, size: 2 }]);
    expect(out.tasks.slice(1)).toEqual(memberIds.map((id, groupIndex) => ({ id, source: "backend", state: "PENDING", rootId: root.task_id, parentId: root.task_id, groupId, groupIndex })));
    expect(out.groupIds).toEqual([groupId]);
    expect(out.taskIds).toEqual(memberIds);
    // Each member's own document names the group too, which the reconciler then tries to restore.
    for (const id of memberIds) expect(backendObservations(docs.get(id)!).groupIds).toEqual([groupId]);
  });

  it("reads a saved GroupResult (GroupResult.save) as the group and its members", () => {
    const saved = writes("09_groupresult_save").find(({ key }) => key.startsWith("celery-taskset-meta-"))!;
    const tuple = decodeGroupMeta(saved.value, saved.key);
    const groupId = saved.key.slice("celery-taskset-meta-".length);
    const out = savedGroupObservations(tuple, { rootId: "r" });
    expect(out.groups).toEqual([{ id: groupId, rootId: "r", size: 2 }]);
    expect(out.tasks.map(({ id, groupId: gid, groupIndex }) => [id, gid, groupIndex])).toEqual(tuple[1]!.map(([[id]], i) => [id, groupId, i]));
  });

  it("follows a child's parent chain: a chain applied inside a task hangs off it step by step", () => {
    const meta: ResultMeta = { ...pendingMeta("t"), status: "SUCCESS", result: null, date_done: "2026-11-24T07:14:04.663589+00:00", name: "proj.spawn", children: [[["c", [["b", null], null]], null]] };
    const out = backendObservations(meta);
    expect(out.tasks.slice(1).map(({ id, parentId }) => [id, parentId])).toEqual([["b", "t"], ["c", "b"]]);
    expect(out.edges.map(({ fromId, toId }) => `${fromId}>${toId}`)).toEqual(["t>b", "b>c"]);
    expect(out.tasks[0]!.stateAt).toBeCloseTo(Date.parse("2026-11-24T07:14:04.663Z") / 1000, 2);
  });

  it("says nothing for a task the backend holds nothing for", () => {
    expect(isAbsentDocument(pendingMeta("x"))).toBe(true);
    expect(backendObservations(pendingMeta("x"))).toEqual({ tasks: [], groups: [], edges: [], taskIds: [], groupIds: [] });
  });
});
