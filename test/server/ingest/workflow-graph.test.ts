// workflow-graph on every message type Celery 5.2.6 was captured sending, and on our own
// producer's messages for the same canvases: the planned nodes, groups and edges.

import { describe, expect, it } from "vitest";
import { Celery, chain, chord, group, MemoryBackend, MemoryBroker, type Message, type PublishTarget, Signature, signatureFromDict, type SignatureDict } from "../../../src/celery/index";
import type { IngestBatch, TaskObservation } from "../../../src/server/ingest/observation";
import { plannedChordHeaderId, plannedStepId } from "../../../src/server/ingest/planned-id";
import { type PublishedMessage, workflowGraph } from "../../../src/server/ingest/workflow-graph";
import { FIXTURE_EPOCH, fixtureMessages } from "./capture-fixtures";
import { HistoryModel } from "./history-model";

const byName = (batch: IngestBatch, name: string): TaskObservation[] => batch.tasks.filter((t) => t.name === name);
const one = (batch: IngestBatch, name: string): TaskObservation => {
  const found = byName(batch, name);
  expect(found, `exactly one ${name}`).toHaveLength(1);
  return found[0]!;
};
const edges = (batch: IngestBatch) => batch.edges.map((e) => `${e.kind} ${e.fromId} ${e.toId}`).sort();

async function foldAll(messages: PublishedMessage[]): Promise<HistoryModel> {
  const history = new HistoryModel();
  for (const published of messages) await history.applyBatch(workflowGraph(published));
  return history;
}

describe.each(["redis", "rabbitmq"] as const)("workflowGraph on Celery 5.2.6 captures (%s)", (broker) => {
  it("records a single task as PENDING with its real JSON args, its route and the whole message", () => {
    const [published] = fixtureMessages("01_single_task", broker);
    const batch = workflowGraph(published!);
    expect(batch.groups).toEqual([]);
    expect(batch.edges).toEqual([]);
    const [task] = batch.tasks;
    const id = published!.message.headers.id as string;
    expect(task).toMatchObject({ id, source: "capture", state: "PENDING", name: "seedflow.add", rootId: id, argsJson: "[2, 3]", kwargsJson: "{}", argsRepr: "(2, 3)", retries: 0, exchange: "", routingKey: "celery", queue: "celery" });
    expect(task!.sentAt).toBeCloseTo(FIXTURE_EPOCH, -1);
    expect(task!.parentId).toBeUndefined();
    expect(task!.plannedId).toBeUndefined();
    const message = JSON.parse(task!.messageJson!) as { headers: Record<string, unknown>; properties: Record<string, unknown>; body: unknown };
    expect(message.headers).toEqual(published!.message.headers);
    expect(message.properties.correlation_id).toBe(id);
    expect(message.body).toEqual([[2, 3], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]);
  });

  it("plans a chain's remainder in run order although embed.chain lists the last step first", async () => {
    const messages = fixtureMessages("02_chain", broker);
    const [first, second, third] = messages.map((m) => m.message.headers.id as string);
    const batch = workflowGraph(messages[0]!);
    expect(batch.tasks.map((t) => [t.id, t.state, t.argsJson, t.parentId])).toEqual([
      [first, "PENDING", "[2, 2]", undefined],
      [second, "PLANNED", "[4]", first],
      [third, "PLANNED", "[8]", second],
    ]);
    expect(edges(batch)).toEqual([`chain ${first} ${second}`, `chain ${second} ${third}`].sort());
    const planned = JSON.parse(batch.tasks[1]!.messageJson!) as { signature: SignatureDict };
    expect(signatureFromDict(planned.signature).toDict()).toEqual(planned.signature);
    expect(planned.signature).toMatchObject({ task: "seedflow.add", args: [4], options: { task_id: second } });
    // The later real messages land on the planned ids: no placeholder, three PENDING tasks.
    const history = await foldAll(messages);
    expect([...history.tasks.values()].map((t) => [t.id, t.state, t.parentId])).toEqual([
      [first, "PENDING", undefined],
      [second, "PENDING", first],
      [third, "PENDING", second],
    ]);
    expect(history.tasks.get(third!)!.argsJson).toBe("[8, 8]");
  });

  it("records a group's members with their group id and no workflow root", async () => {
    const messages = fixtureMessages("03_group", broker);
    const groupId = messages[0]!.message.headers.group as string;
    const history = await foldAll(messages);
    expect([...history.groups.values()]).toEqual([{ id: groupId }]);
    expect([...history.tasks.values()].map((t) => t.groupId)).toEqual([groupId, groupId, groupId]);
    expect(history.edges.size).toBe(0);
  });

  it("records a chord's header group, its body as PLANNED and the chord edge", async () => {
    const messages = fixtureMessages("04_chord", broker);
    const [member] = messages;
    const groupId = member!.message.headers.group as string;
    const batch = workflowGraph(member!);
    const body = one(batch, "seedflow.tsum");
    expect(body.state).toBe("PLANNED");
    expect(batch.groups).toEqual([{ id: groupId, chordBodyId: body.id, plannedId: plannedChordHeaderId(body.id), parentId: undefined, rootId: undefined }]);
    expect(edges(batch)).toEqual([`chord ${groupId} ${body.id}`]);
    expect(batch.tasks[0]).toMatchObject({ groupId, groupIndex: 0, state: "PENDING" });
    const history = await foldAll(messages.slice(0, 4));
    expect(history.tasks.get(body.id)).toMatchObject({ state: "PENDING", argsJson: "[[0, 2, 4]]" });
    expect([...history.tasks.values()].filter((t) => t.groupId === groupId).map((t) => t.groupIndex)).toEqual([0, 1, 2]);
  });

  it("turns the login workflow's first message alone into check_device → group{notify_user, save_event} → post_to_api → post_process", () => {
    const [published] = fixtureMessages("05_login_workflow", broker);
    const batch = workflowGraph(published!);
    const check = one(batch, "seedflow.check_device");
    const notify = one(batch, "seedflow.notify_user");
    const save = one(batch, "seedflow.save_event");
    const post = one(batch, "seedflow.post_to_api");
    const process = one(batch, "seedflow.post_process");
    expect([check, notify, save, post, process].map((t) => t.state)).toEqual(["PENDING", "PLANNED", "PLANNED", "PLANNED", "PLANNED"]);
    expect([notify, save, post, process].every((t) => t.rootId === check.id)).toBe(true);
    // Celery 5.2's chain.prepare_steps froze every task id, but not a usable header group id.
    const header = plannedChordHeaderId(post.id);
    expect(batch.groups).toEqual([{ id: header, rootId: check.id, parentId: check.id, size: 2, chordBodyId: post.id }]);
    expect([notify.groupId, notify.groupIndex, save.groupId, save.groupIndex]).toEqual([header, 0, header, 1]);
    expect([notify.parentId, save.parentId, post.parentId, process.parentId]).toEqual([check.id, check.id, undefined, post.id]);
    expect(edges(batch)).toEqual([`chain ${check.id} ${header}`, `chord ${header} ${post.id}`, `chain ${post.id} ${process.id}`].sort());
    expect(batch.edges.every((e) => e.rootId === check.id)).toBe(true);
  });

  it("folds the login workflow's later messages into the same nodes, the header placeholder into the group the worker used", async () => {
    const messages = fixtureMessages("05_login_workflow", broker);
    const rootId = messages[0]!.message.headers.id as string;
    const realGroup = messages[1]!.message.headers.group as string;
    const history = await foldAll(messages);
    expect(history.shape(rootId)).toEqual([
      "chain seedflow.check_device → group{seedflow.notify_user,seedflow.save_event}",
      "chain seedflow.post_to_api → seedflow.post_process",
      "chord group{seedflow.notify_user,seedflow.save_event} → seedflow.post_to_api",
    ]);
    expect(history.placeholders()).toEqual([]);
    expect([...history.groups.keys()]).toEqual([realGroup]);
    expect(history.groups.get(realGroup)).toMatchObject({ size: 2, parentId: rootId, rootId });
    expect([...history.tasks.values()].map((t) => t.state)).toEqual(["PENDING", "PENDING", "PENDING", "PENDING", "PENDING"]);
    expect(history.tasks.size).toBe(5);
  });

  it("folds the login workflow to the same graph when its records arrive in reverse order", async () => {
    const messages = fixtureMessages("05_login_workflow", broker);
    const inOrder = await foldAll(messages);
    const reversed = await foldAll([...messages].reverse());
    const rootId = messages[0]!.message.headers.id as string;
    expect(reversed.shape(rootId)).toEqual(inOrder.shape(rootId));
    expect(reversed.placeholders()).toEqual([]);
    // The real messages' arguments survive the plans that arrive after them.
    expect([...reversed.tasks.values()].map((t) => [t.name, t.argsJson]).sort()).toEqual([...inOrder.tasks.values()].map((t) => [t.name, t.argsJson]).sort());
  });

  it("plans unfrozen errbacks under a placeholder that the errback's own message folds", async () => {
    const messages = fixtureMessages("06_link_error", broker);
    const [modern, legacy, legacyErrback] = messages.map((m) => m.message.headers.id as string);
    const batch = workflowGraph(messages[0]!);
    const placeholder = plannedStepId(modern!, "seedflow.on_error");
    expect(one(batch, "seedflow.on_error")).toMatchObject({ id: placeholder, state: "PLANNED", parentId: modern });
    expect(edges(batch)).toEqual([`link_error ${modern} ${placeholder}`]);
    const history = await foldAll(messages);
    // A new-style errback (request, exc, traceback) runs inside the failing worker: never sent, it stays planned.
    expect(history.tasks.get(placeholder)?.state).toBe("PLANNED");
    // The legacy one is sent; its message names the placeholder and takes its place.
    expect(history.tasks.has(plannedStepId(legacy!, "seedflow.on_error_legacy"))).toBe(false);
    expect(history.tasks.get(legacyErrback!)).toMatchObject({ state: "PENDING", parentId: legacy });
    expect([...history.edges.values()].filter((e) => e.fromId === legacy).map((e) => `${e.kind} ${e.toId}`)).toEqual([`link_error ${legacyErrback}`]);
  });

  it("records map, starmap and chunk tasks with their real kwargs", () => {
    const messages = fixtureMessages("08_map_starmap_chunks", broker);
    const batches = messages.map(workflowGraph);
    expect(batches.map((b) => b.tasks.map((t) => t.name))).toEqual([["celery.map"], ["celery.starmap"], ["celery.starmap"], ["celery.starmap"]]);
    expect(JSON.parse(batches[0]!.tasks[0]!.kwargsJson!)).toEqual({ task: { task: "seedflow.tsum", args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false }, it: [[1, 2], [3, 4, 5]] });
    const chunkGroup = messages[2]!.message.headers.group as string;
    expect(batches.slice(2).map((b) => b.groups)).toEqual([[{ id: chunkGroup }], [{ id: chunkGroup }]]);
  });

  it("does not make a retry its own parent", () => {
    const [, retry] = fixtureMessages("07_autoretry", broker);
    const [task] = workflowGraph(retry!).tasks;
    expect(task).toMatchObject({ retries: 1, parentId: undefined, plannedId: undefined });
  });
});

describe("workflowGraph on our own producer's messages", () => {
  function recordingApp() {
    const app = new Celery({ broker: new MemoryBroker(), backend: new MemoryBackend() });
    const published: PublishedMessage[] = [];
    app.onPublish((message: Message, target: PublishTarget) => published.push({ message, exchange: target.exchange, routingKey: target.routingKey, sentAt: Date.now() / 1000 }));
    return { app, published };
  }

  // Node names and edges by task name: ids differ between runs, the shape must not.
  async function shapeOf(messages: PublishedMessage[]): Promise<string[]> {
    const history = new HistoryModel();
    const first = workflowGraph(messages[0]!);
    await history.applyBatch(first);
    return history.shape(first.tasks[0]!.rootId!);
  }

  it("gives the login workflow the same plan as Celery's own message", async () => {
    const { app, published } = recordingApp();
    const s = (name: string, ...args: unknown[]) => new Signature({ task: `seedflow.${name}`, args }, app);
    await chain(s("check_device", "u1", "pixel-9"), group(s("notify_user"), s("save_event")), s("post_to_api"), s("post_process")).applyAsync();
    expect(published).toHaveLength(1);
    expect(await shapeOf(published)).toEqual(await shapeOf(fixtureMessages("05_login_workflow")));
    const ours = workflowGraph(published[0]!);
    const celerys = workflowGraph(fixtureMessages("05_login_workflow")[0]!);
    const summary = (b: IngestBatch) => b.tasks.map((t) => [t.name, t.state, t.argsJson, t.groupIndex]);
    expect(summary(ours)).toEqual(summary(celerys));
    expect(ours.groups.map((g) => g.size)).toEqual([2]);
  });

  it("gives a chain and a chord the same plan as Celery's messages", async () => {
    const { app, published } = recordingApp();
    const add = (...args: unknown[]) => new Signature({ task: "seedflow.add", args }, app);
    await chain(add(2, 2), add(4), add(8)).applyAsync();
    expect(await shapeOf(published)).toEqual(await shapeOf(fixtureMessages("02_chain")));
    published.length = 0;
    await chord([add(0, 0), add(1, 1), add(2, 2)], new Signature({ task: "seedflow.tsum" }, app)).applyAsync();
    const ours = published.map(workflowGraph);
    const celerys = fixtureMessages("04_chord").slice(0, 3).map(workflowGraph);
    const summary = (b: IngestBatch) => [b.tasks.map((t) => [t.name, t.state, t.argsJson, t.groupIndex]), b.groups.map((g) => Object.keys(g).sort()), b.edges.map((e) => e.kind)];
    expect(ours.map(summary)).toEqual(celerys.map(summary));
  });

  it("plans a link callback frozen by the producer under its real id", async () => {
    const { app, published } = recordingApp();
    const callback = new Signature({ task: "seedflow.tsum", options: { task_id: "cb-1" } }, app);
    const sig = new Signature({ task: "seedflow.add", args: [1, 2] }, app);
    sig.link(callback);
    await sig.applyAsync();
    const batch = workflowGraph(published[0]!);
    expect(batch.tasks.map((t) => [t.id, t.state])).toEqual([[published[0]!.message.headers.id, "PENDING"], ["cb-1", "PLANNED"]]);
    expect(edges(batch)).toEqual([`link ${published[0]!.message.headers.id} cb-1`]);
  });
});
