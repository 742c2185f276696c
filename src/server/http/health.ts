// GET /api/health: 200 when the store answers and ingestion (if run here) is writing; 503 with
// the reason otherwise, for load balancers and docker-compose health checks.

import type { ServerResponse } from "node:http";
import type { Runtime } from "../runtime/runtime";

export async function handleHealth(runtime: Runtime, res: ServerResponse): Promise<void> {
  const problems: string[] = [];
  try {
    await runtime.store.getCounters();
  } catch (error) {
    problems.push(`store ${runtime.store.where}: ${(error as Error).message}`);
  }
  const ingestion = runtime.ingestion?.stats();
  if (ingestion?.events.storeDown) problems.push("ingestion: the last write to the store failed");
  const body = {
    status: problems.length === 0 ? "ok" : "degraded",
    problems,
    broker: runtime.app.broker.displayUrl,
    store: runtime.store.where,
    uptimeSeconds: Math.round((Date.now() - runtime.startedAt.getTime()) / 1000),
    ingestion: ingestion ?? null,
  };
  res.writeHead(problems.length === 0 ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
}
