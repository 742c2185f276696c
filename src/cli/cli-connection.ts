// Where the CLI connects: the server's environment (CELERY_BROKER_URL, CELERY_RESULT_BACKEND,
// DATABASE_URL, read by loadServerConfig) with `-b/--broker` and `--backend` overriding it, and
// the app or backend opened on it for the length of one command.

import type { Command } from "commander";
import { Celery, DisabledBackend, createBackend, createBroker, type ResultBackend } from "../celery/index";
import { loadServerConfig, type ServerConfig } from "../server/config/server-config";
import { CliError, EXIT } from "./cli-error";

export interface ConnectionFlags {
  broker?: string;
  backend?: string;
}

/** Adds `-b/--broker <url>` to a command that talks to workers or sends tasks. */
export function addBrokerOption(command: Command): Command {
  return command.option("-b, --broker <url>", "broker URL (default: CELERY_BROKER_URL)");
}

/** Adds `--backend <url>` to a command that reads results. */
export function addBackendOption(command: Command): Command {
  return command.option("--backend <url>", "result backend URL (default: CELERY_RESULT_BACKEND)");
}

/**
 * The server configuration with the flags in place of their variables, validated by the same
 * schema (a bad `--broker` is reported like a bad CELERY_BROKER_URL).
 */
export function cliConfig(flags: ConnectionFlags = {}): ServerConfig {
  return loadServerConfig({
    ...process.env,
    ...(flags.broker === undefined ? {} : { CELERY_BROKER_URL: flags.broker }),
    ...(flags.backend === undefined ? {} : { CELERY_RESULT_BACKEND: flags.backend }),
  });
}

// memory:// is the dashboard's embedded demo: it exists inside one process, so another process
// (this CLI) can never reach what it holds.
function sharedUrl(url: string | undefined, what: string, variable: string, flag: string): string {
  if (url === undefined) throw new CliError(`No ${what} configured: set ${variable} (e.g. redis://127.0.0.1:6379/0) or pass ${flag}.`, EXIT.CONFIG);
  if (url.startsWith("memory:")) throw new CliError(`The ${what} is ${url}, which lives inside one process and cannot be reached from the CLI: set ${variable} to the cluster's (e.g. redis://127.0.0.1:6379/0) or pass ${flag}.`, EXIT.CONFIG);
  return url;
}

/** The configured broker's URL, rejecting a missing or in-process one with what to set instead. */
export function sharedBrokerUrl(config: ServerConfig, flags: ConnectionFlags): string {
  // The schema defaults an unset broker to memory://: say "unset" rather than "in-process".
  const given = flags.broker ?? process.env.CELERY_BROKER_URL?.trim();
  const url = given ? config.CELERY_BROKER_URL : undefined;
  return sharedUrl(url, "broker", "CELERY_BROKER_URL", "-b/--broker");
}

/** Opens the result backend named by the configuration, rejecting a missing or in-process one. */
export function backendFrom(config: ServerConfig): ResultBackend {
  return createBackend(sharedBackendUrl(config));
}

/** The configured result backend's URL, rejecting a missing or in-process one. */
export function sharedBackendUrl(config: ServerConfig): string {
  return sharedUrl(config.CELERY_RESULT_BACKEND, "result backend", "CELERY_RESULT_BACKEND", "--backend");
}

async function connected<R extends { connect(): Promise<void>; close(): Promise<void> }, T>(resource: R, use: (resource: R) => Promise<T>): Promise<T> {
  try {
    await resource.connect();
  } catch (error) {
    await resource.close().catch(() => undefined);
    throw new CliError((error as Error).message);
  }
  try {
    return await use(resource);
  } finally {
    await resource.close().catch(() => undefined);
  }
}

/**
 * Runs `use` with a connected app on the configured broker (and, with `backend: true`, result
 * backend), closing it afterwards whatever happens; resolves to what `use` returns.
 */
export async function withApp<T>(flags: ConnectionFlags, options: { backend: boolean }, use: (app: Celery, config: ServerConfig) => Promise<T>): Promise<T> {
  const config = cliConfig(flags);
  const broker = createBroker(sharedBrokerUrl(config, flags));
  const backend = options.backend ? backendFrom(config) : new DisabledBackend();
  return connected(new Celery({ name: "celeriac-cli", broker, backend }), (app) => use(app, config));
}

/** Runs `use` with the connected result backend alone (reading results needs no broker). */
export async function withBackend<T>(flags: ConnectionFlags, use: (backend: ResultBackend) => Promise<T>): Promise<T> {
  return connected(backendFrom(cliConfig(flags)), use);
}
