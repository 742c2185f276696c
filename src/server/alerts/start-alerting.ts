// The alerting loop of a server process: every CELERIAC_ALERT_INTERVAL_SECONDS, if this process
// holds the evaluator lease (one process of those sharing a store evaluates), re-read the rules
// file when it changed, evaluate the rules and send the due notifications, then report the run
// on the alerts page.

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { reasonOf } from "../app-error";
import type { ServerConfig } from "../config/server-config";
import { startPeriodicRun } from "../ingest/periodic-run";
import type { Logger } from "../runtime/logger";
import { alertStore, type Store } from "../store/index";
import { CounterHistory } from "./counter-history";
import { DEFAULT_RETRY, deliverNotifications, type RetryPolicy } from "./deliver-notifications";
import { evaluateAlerts } from "./evaluate-alerts";
import { readRulesFile, rulesFileVersion } from "./rules-file";

export interface AlertingOptions {
  store: Store;
  config: Pick<ServerConfig, "CELERIAC_PUBLIC_URL" | "CELERIAC_ALERT_RULES_FILE" | "CELERIAC_ALERT_INTERVAL_SECONDS" | "CELERIAC_SMTP_URL" | "CELERIAC_SMTP_FROM" | "HOST" | "PORT">;
  log: Logger;
  redactKeys: RegExp;
  retry?: RetryPolicy;
  /** Epoch seconds; for tests. */
  now?: () => number;
  /** Environment variables the rules file's `${NAME}` reads (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface Alerting {
  /** One run now (tests; the loop runs on its own). */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/** The address notifications link under. */
export function publicUrl(config: Pick<ServerConfig, "CELERIAC_PUBLIC_URL" | "HOST" | "PORT">): string {
  return config.CELERIAC_PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
}

/** The evaluation and delivery cycle, without its timer. */
export function alertingCycle(options: AlertingOptions): Alerting & { holder: string } {
  const { config, log } = options;
  const alerts = alertStore(options.store);
  const clock = options.now ?? (() => Date.now() / 1000);
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const counters = new CounterHistory();
  const interval = config.CELERIAC_ALERT_INTERVAL_SECONDS;
  const smtp = config.CELERIAC_SMTP_URL ? { url: config.CELERIAC_SMTP_URL, from: config.CELERIAC_SMTP_FROM } : null;
  const file = { version: null as string | null, loadedAt: null as number | null, error: null as string | null };

  async function syncRulesFile(path: string, now: number): Promise<void> {
    try {
      const version = await rulesFileVersion(path);
      if (version === file.version) return;
      file.version = version;
      const content = await readRulesFile(path, options.env);
      const channels = await alerts.replaceFileChannels(content.channels);
      const rules = await alerts.replaceFileRules(content.rules);
      const skipped = [...channels.skipped.map((name) => `channel ${name}`), ...rules.skipped.map((name) => `rule ${name}`)];
      file.loadedAt = now;
      file.error = skipped.length > 0 ? `${skipped.join(", ")} skipped: the name is taken by one edited on the alerts page; rename one of them.` : null;
      log.info(`loaded ${content.rules.length - rules.skipped.length} alert rule(s) and ${content.channels.length - channels.skipped.length} channel(s) from ${path}`);
      if (file.error) log.warn(file.error);
    } catch (error) {
      // Said once per version of the file; the rules loaded before stay in force.
      if (file.error !== reasonOf(error)) log.warn(`${reasonOf(error)} The rules loaded before stay in force.`);
      file.error = reasonOf(error);
    }
  }

  async function runOnce(): Promise<void> {
    const now = clock();
    // Three missed runs before another process may take over.
    if (!(await alerts.acquireLease(holder, now, Math.max(30, interval * 3)))) return;
    if (config.CELERIAC_ALERT_RULES_FILE) await syncRulesFile(config.CELERIAC_ALERT_RULES_FILE, now);
    let error: string | null = null;
    try {
      await evaluateAlerts({ store: options.store, alerts, counters, redactKeys: options.redactKeys, now });
    } catch (cause) {
      error = `evaluation failed: ${reasonOf(cause)}`;
      log.warn(error);
    }
    try {
      await deliverNotifications({ alerts, publicUrl: publicUrl(config), smtp, redactKeys: options.redactKeys, log, retry: options.retry ?? DEFAULT_RETRY, now: clock() });
    } catch (cause) {
      error = `${error ? `${error}; ` : ""}delivery failed: ${reasonOf(cause)}`;
      log.warn(`delivery failed: ${reasonOf(cause)}`);
    }
    await alerts.reportRun(holder, { at: now, error, rulesFile: config.CELERIAC_ALERT_RULES_FILE ?? null, rulesFileLoadedAt: file.loadedAt, rulesFileError: file.error });
  }

  return {
    holder,
    runOnce,
    stop: () => alerts.releaseLease(holder).catch(() => undefined),
  };
}

/** Starts the loop; stop() waits for a run in progress and hands the lease over. */
export function startAlerting(options: AlertingOptions): Alerting {
  const cycle = alertingCycle(options);
  const loop = startPeriodicRun("alerting", options.config.CELERIAC_ALERT_INTERVAL_SECONDS * 1000, () =>
    cycle.runOnce().catch((error: unknown) => options.log.warn(`alerting run failed: ${reasonOf(error)}`)),
  );
  return {
    runOnce: cycle.runOnce,
    async stop() {
      await loop.stop();
      await cycle.stop();
    },
  };
}
