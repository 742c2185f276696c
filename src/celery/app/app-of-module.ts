// The Celery app an imported module defines (Celery's `-A proj`): its `app` export, or its
// default export. Shared by the CLI, which loads the user's module, and the threads pool, whose
// every thread loads it again.

import { Celery } from "./celery";

/** Throws, naming what the module does export, when neither is a Celery app. */
export function appOfModule(loaded: { app?: unknown; default?: unknown }, modulePath: string): Celery {
  const app = loaded.app ?? loaded.default;
  if (!(app instanceof Celery)) {
    throw new Error(`${modulePath} must export a Celery app as \`export const app = new Celery(…)\` or as its default export; it exports: ${Object.keys(loaded).join(", ") || "nothing"}.`);
  }
  return app;
}
