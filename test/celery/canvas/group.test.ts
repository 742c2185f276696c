import { describe, expect, it } from "vitest";
import { Group, group, InvalidCanvas, Signature, chain, type SignatureDict } from "../../../src/celery/index";
import { canonical, capturedTasks, RecordingApp, wireOf, wireOfCaptured } from "./fake-app";

const sig = (app: RecordingApp, task: string, ...args: unknown[]) => new Signature({ task, args }, app);

describe("group", () => {
  it("publishes every member with the group id and no group_index, as Celery 5.2.6 did (03_group)", async () => {
    const app = new RecordingApp();
    const result = await group([0, 1, 2].map((i) => sig(app, "seedflow.add", i, i))).applyAsync();
    expect(canonical(app.sent.map(wireOf))).toBe(canonical(capturedTasks("03_group").map(wireOfCaptured)));
    expect(result.id).toBe(app.sent[0]!.options.group_id);
    expect((result as unknown as { results: { id: string }[] }).results.map((r) => r.id)).toEqual(app.sent.map((s) => s.options.task_id));
    expect(app.chordSizes).toEqual([]);
  });

  it("flattens nested groups in order and uses a task_id given to the group as the group id", async () => {
    const app = new RecordingApp();
    await group(sig(app, "a"), group(sig(app, "b"), sig(app, "c")), sig(app, "d")).applyAsync([], {}, { task_id: "gid" });
    expect(app.sent.map((s) => [s.name, s.options.group_id, s.options.group_index])).toEqual([
      ["a", "gid", undefined],
      ["b", "gid", undefined],
      ["c", "gid", undefined],
      ["d", "gid", undefined],
    ]);
  });

  it("prepends partial args to mutable members only", async () => {
    const app = new RecordingApp();
    await group(sig(app, "a", 1), new Signature({ task: "b", args: [2], immutable: true }, app)).applyAsync([0]);
    expect(app.sent.map((s) => s.args)).toEqual([[0, 1], [2]]);
  });

  it("puts the group id and index of a chain member on the chain's LAST task", async () => {
    const app = new RecordingApp();
    const result = await group(chain(sig(app, "a"), sig(app, "b")), sig(app, "c")).applyAsync();
    const first = app.sent[0]!;
    const last = (first.options.chain as SignatureDict[])[0]!;
    expect(first.name).toBe("a");
    expect(first.options.group_id).toBeUndefined();
    expect(last.options.group_id).toBe(result.id);
    expect(app.sent[1]!.options.group_id).toBe(result.id);
  });

  it("links a callback, made immutable, to the first member only, and an errback to every member", () => {
    const app = new RecordingApp();
    const g = group(sig(app, "a"), sig(app, "b"));
    const callback = sig(app, "cb");
    expect(g.link(callback)).toBe(callback);
    g.linkError(sig(app, "eb"));
    const [a, b] = g.tasks.map((t) => t.toDict());
    expect(a!.options.link).toEqual([{ ...callback.toDict(), immutable: true }]);
    expect(b!.options.link).toBeUndefined();
    expect([a!.options.link_error, b!.options.link_error]).toEqual([[sig(app, "eb").toDict()], [sig(app, "eb").toDict()]]);
    expect(callback.immutable).toBe(false);
  });

  it("refuses link/link_error given to applyAsync, as Celery does", async () => {
    const app = new RecordingApp();
    await expect(group(sig(app, "a")).applyAsync([], {}, { link: sig(app, "x") })).rejects.toThrow(InvalidCanvas);
    await expect(group(sig(app, "a")).applyAsync([], {}, { link_error: sig(app, "x") })).rejects.toThrow(/individual tasks/);
    expect(app.sent).toEqual([]);
  });

  it("freezes members with group_index 0..n-1; a nested group's members come out in reverse (Celery's extendleft)", () => {
    const app = new RecordingApp();
    const g = new Group([sig(app, "a"), group(sig(app, "b"), sig(app, "c")), sig(app, "d")], {}, app);
    const result = g.freeze();
    expect(g.tasks.map((t) => [t.task, t.options.group_index])).toEqual([
      ["a", 0],
      ["c", 1],
      ["b", 2],
      ["d", 3],
    ]);
    expect(result.id).toBe(g.options.task_id);
    expect(Object.keys(g.options)).toEqual(["task_id", "root_id", "parent_id"]);
  });
});
