// SIGTERM/SIGINT for the long-running commands: the first signal stops cleanly (flushing what
// ingestion holds), a second one exits at once.

import type { Logger } from "../../server/runtime/logger";

export function onShutdownSignals(log: Logger, stop: () => Promise<void>): void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    log.info(`${signal}: stopping (send again to exit at once)`);
    stop().then(
      () => process.exit(0),
      (error: Error) => {
        log.error(`clean stop failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
