import { describe, expect, it } from "vitest";
import { ConfigError, loadServerConfig } from "../../../src/server/config/server-config";

describe("loadServerConfig", () => {
  it("defaults to the embedded setup when nothing is configured", () => {
    const config = loadServerConfig({});
    expect(config.CELERY_BROKER_URL).toBe("memory://");
    expect(config.CELERY_RESULT_BACKEND).toBeUndefined();
    expect(config.DATABASE_URL).toBe("pglite:./.celeriac/db");
    expect(config.CELERIAC_QUEUES).toEqual(["celery"]);
  });

  it("reads Celery's own variable names and lists", () => {
    const config = loadServerConfig({
      CELERY_BROKER_URL: " amqp://guest:guest@127.0.0.1:5672// ",
      CELERY_RESULT_BACKEND: "redis://127.0.0.1:6379/1",
      DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/test",
      CELERIAC_QUEUES: "celery, emails,,reports",
      CELERIAC_RETENTION_DAYS: "7",
    });
    expect(config.CELERY_BROKER_URL).toBe("amqp://guest:guest@127.0.0.1:5672//");
    expect(config.CELERIAC_QUEUES).toEqual(["celery", "emails", "reports"]);
    expect(config.CELERIAC_RETENTION_DAYS).toBe(7);
  });

  it("treats an empty variable as unset", () => {
    expect(loadServerConfig({ CELERY_BROKER_URL: "" }).CELERY_BROKER_URL).toBe("memory://");
  });

  it("names every bad variable at once, without echoing a password", () => {
    let error: unknown;
    try {
      loadServerConfig({ CELERY_BROKER_URL: "sqs://user:hunter2@queue", CELERY_RESULT_BACKEND: "db+postgresql://x", CELERIAC_RETENTION_DAYS: "-3" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain("CELERY_BROKER_URL: sqs://user:**@queue is not supported: use redis:");
    expect(message).toContain("CELERY_RESULT_BACKEND: db+postgresql://x is not supported");
    expect(message).toContain("CELERIAC_RETENTION_DAYS");
    expect(message).not.toContain("hunter2");
  });

  it("takes the reconciler's discovery budget, 0 turning discovery off, and refuses anything else", () => {
    expect(loadServerConfig({}).CELERIAC_RECONCILE_SCAN_PER_RUN).toBe(20_000);
    expect(loadServerConfig({ CELERIAC_RECONCILE_SCAN_PER_RUN: "0" }).CELERIAC_RECONCILE_SCAN_PER_RUN).toBe(0);
    for (const bad of ["-1", "1.5", "lots"]) expect(() => loadServerConfig({ CELERIAC_RECONCILE_SCAN_PER_RUN: bad })).toThrow(/CELERIAC_RECONCILE_SCAN_PER_RUN/);
  });
});
