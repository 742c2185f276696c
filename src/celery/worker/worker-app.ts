// What a Worker needs from the app it serves; the Celery app satisfies it (celery.app.base.Celery as celery/worker uses it).

import type { Broker } from "../broker/broker";
import type { ResultBackend } from "../backend/backend";
import type { CanvasApp } from "../canvas/canvas-app";
import type { WorkerTask } from "./worker-task";

/** The producer side (signatures, sendTask), the transports, and the task registry. */
export interface WorkerApp extends CanvasApp {
  readonly broker: Broker;
  readonly backend: ResultBackend;
  /** The worker looks tasks up by name here, on every message, so tasks may be registered late. */
  workerTask(name: string): WorkerTask | undefined;
  /** Names of every registered task, built-ins excluded (`inspect registered`). */
  taskNames(): string[];
  /** The queue a worker consumes when given none (Celery's task_default_queue). */
  readonly defaultQueue: string;
}
