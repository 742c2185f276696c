// Task states, the state sets and their precedence; mirrors celery/states.py.

export const PENDING = "PENDING";
export const RECEIVED = "RECEIVED";
export const STARTED = "STARTED";
export const SUCCESS = "SUCCESS";
export const FAILURE = "FAILURE";
export const REVOKED = "REVOKED";
export const REJECTED = "REJECTED";
export const RETRY = "RETRY";
export const IGNORED = "IGNORED";

/** Any state name; custom states from `update_state` are plain strings too. */
export type TaskState = string;

export const READY_STATES: ReadonlySet<TaskState> = new Set([SUCCESS, FAILURE, REVOKED]);
export const UNREADY_STATES: ReadonlySet<TaskState> = new Set([PENDING, RECEIVED, STARTED, REJECTED, RETRY]);
export const EXCEPTION_STATES: ReadonlySet<TaskState> = new Set([RETRY, FAILURE, REVOKED]);
export const PROPAGATE_STATES: ReadonlySet<TaskState> = new Set([FAILURE, REVOKED]);

// Highest first; custom states sit where `null` is, as in celery.states.PRECEDENCE.
const PRECEDENCE: readonly (TaskState | null)[] = [SUCCESS, FAILURE, null, REVOKED, STARTED, RECEIVED, REJECTED, RETRY, PENDING];
const CUSTOM_INDEX = PRECEDENCE.indexOf(null);

/** Lower number = stronger state, as `celery.states.precedence`. */
export function precedence(state: TaskState): number {
  const index = PRECEDENCE.indexOf(state);
  return index === -1 ? CUSTOM_INDEX : index;
}

/** True when `a` outranks `b` (celery.states.state.__gt__). */
export function outranks(a: TaskState, b: TaskState): boolean {
  return precedence(a) < precedence(b);
}
