import { describe, expect, it } from "vitest";
import { Chain, Chord, chain, group, pipe, Signature, signatureFromDict, type SignatureDict } from "../../../src/celery/index";
import { canonical, capturedTasks, RecordingApp, wireOf, wireOfCaptured } from "./fake-app";

const sig = (app: RecordingApp, task: string, ...args: unknown[]) => new Signature({ task, args }, app);

describe("chain", () => {
  it("sends only the first task, with the other steps frozen in embed.chain last-first, exactly as Celery 5.2.6 did (02_chain)", async () => {
    const app = new RecordingApp();
    const result = await chain(sig(app, "seedflow.add", 2, 2), sig(app, "seedflow.add", 4), sig(app, "seedflow.add", 8)).applyAsync();
    const captured = capturedTasks("02_chain");
    expect(app.sent).toHaveLength(1);
    expect(canonical(wireOf(app.sent[0]!))).toBe(canonical(wireOfCaptured(captured[0]!)));
    // The returned result is the LAST task's; .parent walks back to the first.
    const chainIds = (app.sent[0]!.options.chain as SignatureDict[]).map((s) => s.options.task_id);
    expect(result.id).toBe(chainIds[0]);
    expect(result.parent?.id).toBe(chainIds[1]);
    expect(result.parent?.parent?.id).toBe(app.sent[0]!.options.task_id);
    expect(result.parent?.parent?.parent).toBeNull();
  });

  it("continues like a Celery worker: the popped next step gets the parent's result first, chain = the rest, then [] on the last hop (02_chain)", async () => {
    const app = new RecordingApp();
    const captured = capturedTasks("02_chain").map(wireOfCaptured);
    for (const [index, retval] of [4, 8].entries()) {
      const previous = captured[index]!;
      const rest = [...(previous.body[2].chain as SignatureDict[])];
      const next = signatureFromDict(rest.pop()!, app);
      await next.applyAsync([retval], {}, { chain: rest, parent_id: previous.id, root_id: previous.root_id as string, priority: null as unknown as number });
      expect(JSON.stringify(wireOf(app.sent[index]!))).toBe(JSON.stringify(captured[index + 1]));
    }
  });

  it("gives a chain-level task_id to the last task, link to the last task and link_error to every task", async () => {
    const app = new RecordingApp();
    const onError = new Signature({ task: "on_error" });
    const done = new Signature({ task: "done" });
    const result = await chain(sig(app, "a"), sig(app, "b"), sig(app, "c")).applyAsync([], {}, { task_id: "last-id", link: done, link_error: onError });
    const first = app.sent[0]!.options;
    const steps = first.chain as SignatureDict[];
    expect(result.id).toBe("last-id");
    expect(steps[0]!.options.task_id).toBe("last-id");
    expect(steps[0]!.options.link).toEqual([done.toDict()]);
    expect(steps[1]!.options.link).toBeUndefined();
    expect([first.link_error, steps[0]!.options.link_error, steps[1]!.options.link_error]).toEqual([[onError.toDict()], [onError.toDict()], [onError.toDict()]]);
  });

  it("gives partial args to the first task only, and stamps root_id on every step when continuing a workflow", async () => {
    const app = new RecordingApp();
    await chain(sig(app, "a", 1), sig(app, "b", 2)).applyAsync([0], {}, { root_id: "root", parent_id: "parent" });
    const sent = app.sent[0]!;
    expect(sent.args).toEqual([0, 1]);
    expect(sent.options.root_id).toBe("root");
    expect(sent.options.parent_id).toBe("parent");
    const next = (sent.options.chain as SignatureDict[])[0]!;
    expect(next.args).toEqual([2]);
    expect(next.options.root_id).toBe("root");
    expect(next.options.parent_id).toBeUndefined();
  });

  it("flattens nested chains and builds `a | b | c` the same as chain(a, b, c)", () => {
    const app = new RecordingApp();
    const [a, b, c] = ["a", "b", "c"].map((t) => sig(app, t));
    const nested = pipe(a!, chain(b!, c!));
    expect(nested).toBeInstanceOf(Chain);
    expect(JSON.stringify(nested)).toBe(JSON.stringify(chain(a!, b!, c!)));
    expect((chain(a!, b!, c!) as Chain).tasks.map((t) => t.task)).toEqual(["a", "b", "c"]);
  });

  it("turns a group followed by a task into a chord, extends a trailing chord's body, and keeps a trailing group a group", () => {
    const app = new RecordingApp();
    const [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map((t) => sig(app, t));
    const withChord = chain(a!, group(b!, c!), d!, e!) as Chain;
    const step = withChord.tasks[1] as Chord;
    expect(step).toBeInstanceOf(Chord);
    expect(step.tasks.map((t) => t.task)).toEqual(["b", "c"]);
    expect(step.body?.subtask_type).toBe("chain");
    expect((step.body as Chain).tasks.map((t) => t.task)).toEqual(["d", "e"]);
    const groupLast = chain(a!, group(b!, c!)) as Chain;
    expect(groupLast.tasks[1]?.subtask_type).toBe("group");
    // group | task outside a chain is a chord; chord | task appends to its body.
    expect(pipe(group(b!, c!), d!)).toBeInstanceOf(Chord);
    expect(((pipe(group(b!, c!), d!, e!) as Chord).body as Chain).tasks.map((t) => t.task)).toEqual(["d", "e"]);
  });

  it("sends a trailing group as a celery.group signature in embed.chain, and the worker-side group gives each member the result", async () => {
    const app = new RecordingApp();
    await chain(sig(app, "a"), group(sig(app, "b"), sig(app, "c"))).applyAsync();
    const groupSig = (app.sent[0]!.options.chain as SignatureDict[])[0]!;
    expect(groupSig.task).toBe("celery.group");
    expect(groupSig.subtask_type).toBe("group");
    await signatureFromDict(groupSig, app).applyAsync([42], {}, { chain: [], parent_id: app.sent[0]!.options.task_id });
    expect(app.sent.slice(1).map((s) => [s.name, s.args, s.options.group_id])).toEqual([
      ["b", [42], groupSig.options.task_id],
      ["c", [42], groupSig.options.task_id],
    ]);
  });

  it("refuses an empty chain instead of silently sending nothing", async () => {
    await expect(new Chain([], {}, new RecordingApp()).applyAsync()).rejects.toThrow(/empty chain/);
  });
});

describe("the login workflow (05_login_workflow)", () => {
  const build = (app: RecordingApp) =>
    chain(sig(app, "seedflow.check_device", "u1", "pixel-9"), group(sig(app, "seedflow.notify_user"), sig(app, "seedflow.save_event")), sig(app, "seedflow.post_to_api"), sig(app, "seedflow.post_process"));

  it("sends check_device with the celery.chord signature (frozen header group, chain body) Celery sent", async () => {
    const app = new RecordingApp();
    const result = await build(app).applyAsync();
    const captured = capturedTasks("05_login_workflow");
    expect(app.sent).toHaveLength(1);
    expect(canonical(wireOf(app.sent[0]!))).toBe(canonical(wireOfCaptured(captured[0]!)));
    // post_process ← post_to_api ← header GroupResult ← check_device
    expect(result.parent?.parent).toHaveProperty("results");
    expect(result.parent?.parent?.parent?.id).toBe(app.sent[0]!.options.task_id);
  });

  it("expands the chord from embed.chain like a Python worker, then the body chain, hop by hop (messages 1-4)", async () => {
    const app = new RecordingApp();
    const captured = capturedTasks("05_login_workflow").map(wireOfCaptured);
    const [checkDevice, notify, save, postToApi, postProcess] = captured as [typeof captured[0], typeof captured[0], typeof captured[0], typeof captured[0], typeof captured[0]];
    const info = { user_id: "u1", device: "pixel-9", new: true };
    const rest = [...(checkDevice.body[2].chain as SignatureDict[])];
    await signatureFromDict(rest.pop()!, app).applyAsync([info], {}, { chain: rest, parent_id: checkDevice.id, root_id: checkDevice.root_id as string, priority: null as unknown as number });
    expect(app.log).toEqual(["send seedflow.notify_user", "chord size 2", "send seedflow.save_event"]);
    expect(canonical(app.sent.map(wireOf))).toBe(canonical([notify, save]));
    // The last header task to finish sends the body with the results in header order.
    await signatureFromDict(save.body[2].chord as SignatureDict, app).applyAsync([[{ notified: "u1" }, { saved: "pixel-9" }]], {}, { parent_id: save.id, root_id: save.root_id as string });
    expect(JSON.stringify(wireOf(app.sent[2]!))).toBe(JSON.stringify(postToApi));
    const tail = [...(postToApi.body[2].chain as SignatureDict[])];
    await signatureFromDict(tail.pop()!, app).applyAsync([{ score: 2 }], {}, { chain: tail, parent_id: postToApi.id, root_id: postToApi.root_id as string });
    expect(JSON.stringify(wireOf(app.sent[3]!))).toBe(JSON.stringify(postProcess));
  });
});
