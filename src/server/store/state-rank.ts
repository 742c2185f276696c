// Where a task state ranks when observations disagree: celery.states.precedence, with the store's
// own PLANNED (a workflow step not sent yet) below PENDING.

import { PENDING, precedence } from "../../celery/index";

/** A workflow step the plan knows about but nobody has sent yet. */
export const PLANNED = "PLANNED";

/** Lower is stronger, as celery.states.precedence; PLANNED is one below PENDING. */
export function stateRank(state: string): number {
  return state === PLANNED ? precedence(PENDING) + 1 : precedence(state);
}
