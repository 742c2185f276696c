// Adds `app.worker(options)` to the Celery app without the app importing the worker; mirrors celery.app.base.Celery.Worker.

import { Celery } from "../app/celery";
import { Worker, type WorkerOptions } from "./worker";

declare module "../app/celery" {
  interface Celery {
    /** A worker for this app's tasks; call `start()` on it. */
    worker(options?: WorkerOptions): Worker;
  }
}

Celery.prototype.worker = function worker(this: Celery, options?: WorkerOptions): Worker {
  return new Worker(this, options);
};
