import { describe, expect, it } from "vitest";
import { AsyncResult, DisabledBackend, ImproperlyConfigured } from "../../../src/celery/index";

describe("DisabledBackend", () => {
  const backend = new DisabledBackend();

  it("tells the caller to configure a backend when a result is read or awaited", async () => {
    const result = new AsyncResult("t1", backend);
    await expect(result.state()).rejects.toThrow(ImproperlyConfigured);
    await expect(result.get()).rejects.toThrow("no result backend configured: pass backend to new Celery({...})");
    await expect(backend.restoreGroup("g")).rejects.toThrow(ImproperlyConfigured);
    await expect(backend.chordPartReturn("g", { taskId: "t", state: "SUCCESS", result: 1, groupIndex: 0 })).rejects.toThrow(ImproperlyConfigured);
  });

  it("drops stored results silently, as a Celery worker without a backend does", async () => {
    await expect(backend.storeResult({ status: "SUCCESS", result: 1, traceback: null, children: [], date_done: null, task_id: "t1" })).resolves.toBeUndefined();
  });
});
