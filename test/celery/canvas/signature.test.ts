import { describe, expect, it } from "vitest";
import { InvalidCanvas, Signature, signatureFromDict, ImproperlyConfigured } from "../../../src/celery/index";
import { RecordingApp } from "./fake-app";

const add = (...args: unknown[]) => new Signature({ task: "seedflow.add", args });

describe("Signature", () => {
  it("serializes as Celery's six-key dict, keys in Celery's order, and JSON.stringify gives the same", () => {
    const sig = new Signature({ task: "seedflow.add", args: [2], kwargs: { y: 3 }, options: { queue: "q" } });
    expect(JSON.stringify(sig.toDict())).toBe('{"task":"seedflow.add","args":[2],"kwargs":{"y":3},"options":{"queue":"q"},"subtask_type":null,"immutable":false}');
    expect(JSON.stringify(sig)).toBe(JSON.stringify(sig.toDict()));
    expect(sig.name).toBe("seedflow.add");
    expect(sig.subtaskType).toBeNull();
  });

  it("never emits chord_size, even when built from a Celery 5.0 dict that had one", () => {
    const sig = signatureFromDict({ task: "t", args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false, chord_size: null });
    expect(Object.keys(sig.toDict())).toEqual(["task", "args", "kwargs", "options", "subtask_type", "immutable"]);
  });

  it("clone prepends new args, merges kwargs and options over, and leaves the original alone", () => {
    const sig = new Signature({ task: "t", args: [4], kwargs: { a: 1, b: 2 }, options: { queue: "q" } });
    const copy = sig.clone([1, 2], { b: 20, c: 30 }, { priority: 5 });
    expect(copy.args).toEqual([1, 2, 4]);
    expect(copy.kwargs).toEqual({ a: 1, b: 20, c: 30 });
    expect(copy.options).toEqual({ queue: "q", priority: 5 });
    expect(sig.toDict()).toEqual({ task: "t", args: [4], kwargs: { a: 1, b: 2 }, options: { queue: "q" }, subtask_type: null, immutable: false });
  });

  it("an immutable signature ignores new args and kwargs but still merges options", () => {
    const sig = new Signature({ task: "t", args: [4], immutable: true });
    const copy = sig.clone([1], { x: 1 }, { queue: "q" });
    expect(copy.args).toEqual([4]);
    expect(copy.kwargs).toEqual({});
    expect(copy.options).toEqual({ queue: "q" });
    expect(copy.immutable).toBe(true);
  });

  it("clone never overrides a group_id the signature already has (it would stall the chord)", () => {
    const sig = new Signature({ task: "t", options: { group_id: "g1" } });
    expect(sig.clone([], {}, { group_id: "g2" }).options.group_id).toBe("g1");
    expect(new Signature({ task: "t" }).clone([], {}, { group_id: "g2" }).options.group_id).toBe("g2");
  });

  it("clone deep-copies options, so linking on the copy does not touch the original", () => {
    const sig = add(1);
    sig.link(add(2));
    const copy = sig.clone();
    copy.link(add(3));
    expect((sig.options.link as unknown[]).length).toBe(1);
    expect((copy.options.link as unknown[]).length).toBe(2);
  });

  it("set merges options and returns the same signature; setImmutable flips immutability", () => {
    const sig = add(1);
    expect(sig.set({ countdown: 10 }).set({ expires: 30 }, true)).toBe(sig);
    expect(sig.options).toEqual({ countdown: 10, expires: 30 });
    expect(sig.immutable).toBe(true);
    sig.setImmutable(false);
    expect(sig.immutable).toBe(false);
  });

  it("link and linkError append to list options once and return the linked signature; onError returns this", () => {
    const sig = add(1);
    const callback = add(2);
    expect(sig.link(callback)).toBe(callback);
    sig.link(add(2));
    const errback = new Signature({ task: "on_error" });
    expect(sig.linkError(errback)).toBe(errback);
    expect(sig.onError(new Signature({ task: "other" }))).toBe(sig);
    const dict = sig.toDict();
    expect(dict.options.link).toEqual([callback.toDict()]);
    expect((dict.options.link_error as unknown[]).map((e) => (e as { task: string }).task)).toEqual(["on_error", "other"]);
  });

  it("freeze keeps an existing task id, else takes the given or a fresh one, and writes Celery's option keys in order", () => {
    const app = new RecordingApp();
    const sig = add(1).bind(app);
    const result = sig.freeze("fixed", { group_id: "g", root_id: "r", parent_id: "p", group_index: 0 });
    expect(result.id).toBe("fixed");
    expect(Object.keys(sig.options)).toEqual(["task_id", "root_id", "parent_id", "reply_to", "group_id", "group_index"]);
    expect(sig.options.reply_to).toBe(app.oid);
    expect(sig.freeze("other").id).toBe("fixed");
    expect(add(1).bind(app).freeze().id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("applyAsync sends one task with args prepended and None-like options dismissed; delay is applyAsync(args)", async () => {
    const app = new RecordingApp();
    const sig = new Signature({ task: "seedflow.add", args: [4], options: { queue: "q" } }, app);
    const result = await sig.applyAsync([1], { k: 1 }, { priority: null as unknown as number, parent_id: "p" });
    await sig.delay(7);
    expect(app.sent[0]).toEqual({ id: result.id, name: "seedflow.add", args: [1, 4], kwargs: { k: 1 }, options: { queue: "q", parent_id: "p" } });
    expect(app.sent[1]?.args).toEqual([7, 4]);
  });

  it("refuses to apply without an app, saying how to bind one", async () => {
    expect(() => add(1).freeze()).toThrow(ImproperlyConfigured);
    await expect(add(1).applyAsync()).rejects.toThrow(/bind\(app\)/);
  });

  it("InvalidCanvas carries its stable code", () => {
    expect(new InvalidCanvas("x").code).toBe("INVALID_CANVAS");
  });
});
