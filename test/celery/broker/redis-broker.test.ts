import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RedisBroker } from "../../../src/celery/index";
import { REDIS_URL, describeWith } from "../../support/services";
import { brokerConformance } from "./broker-conformance";

await describeWith(["redis"], "RedisBroker", () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await redis.quit();
  });

  brokerConformance("redis", () => Promise.resolve(new RedisBroker(REDIS_URL)), {
    injectMalformed: async (queue) => {
      await redis.lpush(queue, "this is not an envelope");
    },
  });

  it("placeholder for redis-specific tests", () => {
    expect(redis).toBeDefined();
  });
});
