// Loads the user's app module for the CLI (Celery's `-A proj`): the module exports `app` (or a default export) that is a Celery app.

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { appOfModule, Celery, createBackend, createBroker } from "../celery/index";

export interface LoadAppOptions {
  /** Replaces the module app's broker (the module's tasks are kept). */
  broker?: string;
  backend?: string;
}

/**
 * Imports `modulePath` (relative to the working directory) and returns its `app` export, or
 * its default export. With `broker`/`backend`, returns a copy of that app on those URLs.
 */
export async function loadApp(modulePath: string, options: LoadAppOptions = {}): Promise<Celery> {
  const url = pathToFileURL(resolve(process.cwd(), modulePath)).href;
  const app = appOfModule((await import(url)) as { app?: unknown; default?: unknown }, modulePath);
  if (!options.broker && !options.backend) return app;
  const copy = new Celery({
    name: app.name,
    broker: options.broker ? createBroker(options.broker) : app.broker,
    backend: options.backend ? createBackend(options.backend) : app.backend,
    defaultQueue: app.defaultQueue,
  });
  for (const [name, task] of app.tasks) {
    if (task.implementation) copy.task(name, task.implementation as (...args: unknown[]) => unknown, task.options);
    else copy.task(name, task.options);
  }
  return copy;
}
