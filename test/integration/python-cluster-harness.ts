// The control plane beside a real Python Celery 5.2.6 worker, both on a Redis database of their
// own (broker and backend, so other suites' events stay out of the store), with the peer's
// third-party API switch: post_to_api fails until the key `apiSwitch` exists.

import { Redis } from "ioredis";
import { type ControlPlane, startControlPlane } from "../server/services/control-plane-harness";
import { type PythonWorker, startPythonWorker } from "../support/python-celery";
import { REDIS_URL } from "../support/services";

export interface PythonCluster {
  plane: ControlPlane;
  worker: PythonWorker;
  /** A client on the cluster's database (set `apiSwitch` to bring the API up). */
  redis: Redis;
  url: string;
  apiSwitch: string;
  close(): Promise<void>;
}

/** `appModule` "capture_peer" captures what the worker sends; the default "peer" captures nothing. */
export async function startPythonCluster(options: { db: number; queue: string; appModule?: string }): Promise<PythonCluster> {
  const url = REDIS_URL.replace(/\/\d*$/, `/${options.db}`);
  const apiSwitch = `${options.queue}-api-up`;
  const redis = new Redis(url);
  const plane = await startControlPlane({ brokerUrl: url, backendUrl: url, queue: options.queue });
  process.env.PEER_API_SWITCH = apiSwitch;
  const worker = await startPythonWorker({ brokerUrl: url, backendUrl: url, queue: options.queue, appModule: options.appModule }).catch(async (error: unknown) => {
    await plane.close();
    redis.disconnect();
    throw error;
  });
  return {
    plane,
    worker,
    redis,
    url,
    apiSwitch,
    async close() {
      await worker.stop();
      await plane.close();
      await redis.del(apiSwitch);
      redis.disconnect();
    },
  };
}
