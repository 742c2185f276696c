import { describe, expect, it } from "vitest";
import { Chunks, chunks, Signature, xmap, xstarmap } from "../../../src/celery/index";
import { canonical, capturedTasks, RecordingApp, wireOf, wireOfCaptured } from "./fake-app";

describe("map, starmap and chunks (08_map_starmap_chunks)", () => {
  it("send exactly the celery.map, celery.starmap and chunked celery.starmap group messages Celery sent", async () => {
    const app = new RecordingApp();
    const tsum = new Signature({ task: "seedflow.tsum" }, app);
    const add = new Signature({ task: "seedflow.add" }, app);
    await xmap(tsum, [[1, 2], [3, 4, 5]]).applyAsync();
    await xstarmap(add, [[1, 2], [3, 4]]).applyAsync();
    const result = await chunks(add, [0, 1, 2, 3, 4, 5].map((i) => [i, i]), 3).applyAsync();
    expect(canonical(app.sent.map(wireOf))).toBe(canonical(capturedTasks("08_map_starmap_chunks").map(wireOfCaptured)));
    expect(result.id).toBe(app.sent[2]!.options.group_id);
  });

  it("are immutable signatures of the built-in tasks with args [] and kwargs {task, it[, n]}", () => {
    const add = new Signature({ task: "seedflow.add" });
    expect(xmap(add, [1]).toDict()).toEqual({ task: "celery.map", args: [], kwargs: { task: add.toDict(), it: [1] }, options: {}, subtask_type: null, immutable: true });
    expect(xstarmap(add, [[1, 2]]).toDict().task).toBe("celery.starmap");
    expect(chunks(add, [[1, 2]], 10).toDict().kwargs).toEqual({ task: add.toDict(), it: [[1, 2]], n: 10 });
  });

  it("chunks.group() splits the items into starmap parts of n, the last one shorter", () => {
    const add = new Signature({ task: "seedflow.add" });
    const parts = new Chunks(add, [[1, 1], [2, 2], [3, 3]], 2).group().tasks;
    expect(parts.map((p) => [p.task, p.kwargs.it])).toEqual([
      ["celery.starmap", [[1, 1], [2, 2]]],
      ["celery.starmap", [[3, 3]]],
    ]);
    expect(() => chunks(add, [], 0)).toThrow(/positive integer/);
  });
});
