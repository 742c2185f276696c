// What a Worker needs from the app it serves: the Celery app itself (celery.app.base.Celery as celery/worker uses it).

import type { Celery } from "../app/celery";

/** The app a worker serves: its transports, its producer side (signatures, sendTask) and its task registry. */
export type WorkerApp = Pick<Celery, "broker" | "backend" | "tasks" | "defaultQueue" | "sendTask" | "setChordSize" | "asyncResult" | "groupResult" | "oid" | "newId">;
