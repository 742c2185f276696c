// Public exports of worker/; importing it also gives the Celery app its worker() method.

import "./app-worker";

export { CONTROL_COMMANDS, dispatchControl, isAddressedTo, NO_REPLY, type ControlTarget, type TaskInfo } from "./control-panel";
export { describeError, reprOfExceptionInfo, type ErrorDescription } from "./describe-error";
export { exponentialBackoff } from "./exponential-backoff";
export { RevokedSet, REVOKES_MAX, REVOKE_EXPIRES_SECONDS } from "./revoked-set";
export { currentTask } from "./current-task";
export { TaskContext, type RetryOptions, type TaskRequestContext } from "./task-context";
export type { WorkerApp } from "./worker-app";
export { ThreadTaskError } from "./thread-pool";
export { Ignore, MaxRetriesExceededError, Reject, Retry, SoftTimeLimitExceeded, TimeLimitExceeded, WorkerLostError } from "./worker-errors";
export { workerTaskFrom, type ErrorMatcher, type WorkerTask, type WorkerTaskOptions } from "./worker-task";
export { Worker, type WorkerLogger, type WorkerOptions } from "./worker";
