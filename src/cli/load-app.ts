// Loads the user's app module for the CLI (Celery's `-A proj`): the module exports `app` (or a default export) that is a Celery app.

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Celery, createBackend, createBroker } from "../celery/index";

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
  const module = (await import(url)) as { app?: unknown; default?: unknown };
  const app = module.app ?? module.default;
  if (!(app instanceof Celery)) {
    throw new Error(`${modulePath} must export a Celery app as \`export const app = new Celery(…)\` or as its default export; it exports: ${Object.keys(module).join(", ") || "nothing"}.`);
  }
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
