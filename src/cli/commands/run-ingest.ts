// `celeriac ingest`: only the ingestion (events, capture records, reconciliation, retention),
// as its own process next to a dashboard started with CELERIAC_INGEST=external.

import { loadServerConfig } from "../../server/config/server-config";
import { createLogger } from "../../server/runtime/logger";
import { startRuntime } from "../../server/runtime/start-runtime";
import { onShutdownSignals } from "./shutdown-signals";

export async function runIngest(options: { statsEverySeconds: number; json: boolean }): Promise<void> {
  const config = loadServerConfig();
  const log = createLogger("info");
  const runtime = await startRuntime({ config, log, ingest: true, demo: false });
  const ingestion = runtime.ingestion;
  if (!ingestion) throw new Error("ingestion did not start");
  // Progress for whoever watches the terminal (or a log collector, with --json).
  const timer = setInterval(() => {
    const { events, capture } = ingestion.stats();
    if (options.json) console.log(JSON.stringify({ at: new Date().toISOString(), events, capture }));
    else log.info(`events received ${events.received}, written ${events.written}, buffered ${events.buffered}, dropped ${events.dropped}, malformed ${events.malformed}${events.storeDown ? ", STORE DOWN (retrying)" : ""}${capture ? `; capture records applied ${capture.applied}, malformed ${capture.malformed}` : ""}`);
  }, options.statsEverySeconds * 1000);
  onShutdownSignals(log, async () => {
    clearInterval(timer);
    await runtime.close();
  });
}
