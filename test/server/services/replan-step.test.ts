// findPlannedStep on the message our producer sends for the seed login workflow: every later step
// is found with exactly the chain a Celery worker would send after it.

import { expect, it } from "vitest";
import { Celery, chain, decodeBody, group, type Message, MemoryBackend, MemoryBroker, type SignatureDict } from "../../../src/celery/index";
import { findPlannedStep } from "../../../src/server/services/replan-step";

it("finds a chain step and a chord body in the root's embed, with the steps after each", async () => {
  const app = new Celery({ broker: new MemoryBroker(), backend: new MemoryBackend() });
  const sent: Message[] = [];
  app.onPublish((message) => void sent.push(message));
  const task = (name: string) => app.task(name);
  const last = await chain(
    task("seedflow.check_device").s("u1", "pixel-9"),
    group(task("seedflow.notify_user").s(), task("seedflow.save_event").s()),
    task("seedflow.post_to_api").s(),
    task("seedflow.post_process").s(),
    task("seedflow.archive").si("done"),
  ).applyAsync();
  expect(sent).toHaveLength(1);
  const body = decodeBody(sent[0]!);
  const archiveId = last.id;
  const postProcessId = last.parent!.id;
  const postToApiId = last.parent!.parent!.id;
  const names = (steps: SignatureDict[]) => steps.map((step) => step.task);

  expect(findPlannedStep(body, archiveId)).toMatchObject({ kind: "chain", signature: { task: "seedflow.archive", immutable: true, args: ["done"] }, chain: [] });
  const postProcess = findPlannedStep(body, postProcessId)!;
  expect(postProcess.kind).toBe("chain");
  expect(names(postProcess.chain)).toEqual(["seedflow.archive"]);
  // The chord body: sent by the join, with everything after the chord as its chain.
  const postToApi = findPlannedStep(body, postToApiId)!;
  expect(postToApi).toMatchObject({ kind: "chordBody", signature: { task: "seedflow.post_to_api" } });
  expect(names(postToApi.chain)).toEqual(["seedflow.archive", "seedflow.post_process"]);
  expect(findPlannedStep(body, "not-a-step")).toBeNull();
  expect(findPlannedStep("not a body", postToApiId)).toBeNull();
});

it("finds a chord body in a header member's chord embed, with the chain Celery put in its options", () => {
  const bodySig = { task: "seedflow.post_to_api", args: [], kwargs: {}, options: { task_id: "b1", chain: [{ task: "seedflow.post_process", args: [], kwargs: {}, options: { task_id: "p1" }, subtask_type: null, immutable: false }] }, subtask_type: null, immutable: false };
  expect(findPlannedStep([[{ user_id: "u1" }], {}, { callbacks: null, errbacks: null, chain: null, chord: bodySig }], "b1")).toMatchObject({ kind: "chordBody", chain: [{ task: "seedflow.post_process" }] });
});
