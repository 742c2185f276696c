// Public exports of app/.

export { appOfModule } from "./app-of-module";
export { Celery, type CeleryConfig, type PublishListener, type TaskRoute, type TaskRoutes } from "./celery";
export { Task, type ArgsSuffix, type TaskImplementation } from "./task";
