import { describe, expect, it } from "vitest";
import { Chord, chord, group, Signature, type SignatureDict } from "../../../src/celery/index";
import { canonical, capturedTasks, RecordingApp, wireOf, wireOfCaptured } from "./fake-app";

const sig = (app: RecordingApp, task: string, ...args: unknown[]) => new Signature({ task, args }, app);

describe("chord", () => {
  it("publishes the header with group_index 0..n-1 and the frozen body in embed.chord, as Celery 5.2.6 did (04_chord)", async () => {
    const app = new RecordingApp();
    const result = await chord([0, 1, 2].map((i) => sig(app, "seedflow.add", i, i)), sig(app, "seedflow.tsum")).applyAsync();
    const captured = capturedTasks("04_chord").slice(0, 3).map(wireOfCaptured);
    expect(canonical(app.sent.map(wireOf))).toBe(canonical(captured));
    const groupId = app.sent[0]!.options.group_id!;
    expect(result.id).toBe((app.sent[0]!.options.chord as SignatureDict).options.task_id);
    expect(result.parent?.id).toBe(groupId);
    expect((result.parent as unknown as { results: { id: string }[] }).results.map((r) => r.id)).toEqual(app.sent.map((s) => s.options.task_id));
  });

  it("stores the header size before the LAST header message goes out, never after", async () => {
    const app = new RecordingApp();
    await chord([sig(app, "a"), sig(app, "b"), sig(app, "c")], sig(app, "body")).applyAsync();
    expect(app.log).toEqual(["send a", "send b", "chord size 3", "send c"]);
    expect(app.chordSizes[0]![0]).toBe(app.sent[0]!.options.group_id);
  });

  it("sends the body at once with [[]] when the header is empty", async () => {
    const app = new RecordingApp();
    const result = await chord([], sig(app, "body", 1)).bind(app).applyAsync();
    expect(app.sent.map((s) => [s.name, s.args])).toEqual([["body", [[], 1]]]);
    expect(result.id).toBe(app.sent[0]!.options.task_id);
    expect(result.parent).toHaveProperty("results", []);
  });

  it("numbers a nested header group in Celery's order: chord([a, group(b, c), d]) sends a, c, b, d", async () => {
    const app = new RecordingApp();
    await chord([sig(app, "a"), group(sig(app, "b"), sig(app, "c")), sig(app, "d")], sig(app, "s")).applyAsync();
    expect(app.sent.map((s) => [s.name, s.options.group_index])).toEqual([
      ["a", 0],
      ["c", 1],
      ["b", 2],
      ["d", 3],
    ]);
    expect(app.chordSizes.map(([, n]) => n)).toEqual([4]);
  });

  it("uses a chord-level task_id for the body and a frozen header's own id for the group", async () => {
    const app = new RecordingApp();
    const c = chord([sig(app, "a")], sig(app, "s"));
    const frozen = c.freeze("body-id");
    const result = await c.applyAsync();
    expect(frozen.id).toBe("body-id");
    expect(result.id).toBe("body-id");
    expect(app.sent[0]!.options.group_id).toBe(c.options.task_id);
  });

  it("links callbacks and errbacks to the body, and setImmutable changes the header only", () => {
    const app = new RecordingApp();
    const c = chord([sig(app, "a")], sig(app, "s"));
    c.link(sig(app, "cb"));
    c.linkError(sig(app, "eb"));
    c.setImmutable(true);
    expect(c.body!.options.link).toHaveLength(1);
    expect(c.body!.options.link_error).toHaveLength(1);
    expect(c.tasks[0]!.immutable).toBe(true);
    expect(c.body!.immutable).toBe(false);
  });

  it("builds the celery.chord dict with kwargs {kwargs, header, body}", () => {
    const app = new RecordingApp();
    const dict = new Chord([sig(app, "a")], sig(app, "s")).toDict();
    expect(Object.keys(dict.kwargs)).toEqual(["kwargs", "header", "body"]);
    expect(dict).toMatchObject({ task: "celery.chord", args: [], subtask_type: "chord", immutable: false, kwargs: { kwargs: {} } });
  });
});
