// Placeholder ids for planned workflow steps whose real id is not knowable when the plan is read,
// derived only from facts that the step's own later message carries too, so both sides agree.

/**
 * The placeholder of a step without a frozen `task_id` (an unfrozen link/link_error callback):
 * Celery gives it an id only when the worker sends it, with `parent_id` = the task it follows and
 * its own task name, so the real message can name this placeholder again. Two unfrozen callbacks
 * of one task with the same name share a placeholder (the one that is sent folds it).
 */
export function plannedStepId(parentId: string, taskName: string): string {
  return `planned:${parentId}:${taskName}`;
}

/**
 * The placeholder of a chord's header group. Celery 5.2 rebuilds a chord met in a chain remainder
 * with `_maybe_group`, which drops the header group's frozen id, so the worker applies the header
 * under a fresh group id. The body's entry task keeps its frozen id and every header member's
 * message carries the body as `embed.chord`, so the body entry id names the chord on both sides.
 */
export function plannedChordHeaderId(bodyEntryId: string): string {
  return `planned:chord:${bodyEntryId}`;
}
