import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createBackend, MemoryBackend } from "../../../src/celery/index";
import { backendConformance, successMeta } from "./backend-conformance";

describe("MemoryBackend", () => {
  backendConformance("memory", () => new MemoryBackend());

  afterEach(() => vi.useRealTimers());

  it("drops a result once result_expires has passed", async () => {
    vi.useFakeTimers();
    const backend = new MemoryBackend({ resultExpires: 60 });
    const taskId = randomUUID();
    await backend.storeResult(successMeta(taskId, 1));
    vi.advanceTimersByTime(59_000);
    expect((await backend.getTaskMeta(taskId)).status).toBe("SUCCESS");
    vi.advanceTimersByTime(1_000);
    expect((await backend.getTaskMeta(taskId)).status).toBe("PENDING");
  });

  it("shares results between backends created from the same memory:// URL, as Celery's process-wide cache", async () => {
    const url = `memory://${randomUUID()}`;
    const taskId = randomUUID();
    await createBackend(url).storeResult(successMeta(taskId, "shared"));
    expect((await createBackend(url).getTaskMeta(taskId)).result).toBe("shared");
    expect((await createBackend("memory://other").getTaskMeta(taskId)).status).toBe("PENDING");
  });
});
