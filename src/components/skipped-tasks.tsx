// The tasks an action's preview leaves alone, each with the server's reason, folded away: the
// operator opens it to see why a match will not run again.

import { shortId } from "../app/_lib/format";
import { StateBadge } from "./state-badge";

export interface SkippedTask {
  taskId: string;
  state: string;
  name?: string | null;
  reason: string;
}

/** Nothing when nothing is skipped; at most `limit` rows with a count of the rest. */
export function SkippedTasks({ summary, tasks, limit = Infinity }: { summary: string; tasks: SkippedTask[]; limit?: number }) {
  if (tasks.length === 0) return null;
  return (
    <details>
      <summary className="small">{summary}</summary>
      <ul className="plain small">
        {tasks.slice(0, limit).map((task) => (
          <li key={task.taskId}>
            <StateBadge state={task.state} /> {task.name ?? "?"} <span className="mono">{shortId(task.taskId)}</span> — {task.reason}
          </li>
        ))}
        {tasks.length > limit ? <li className="muted">… and {tasks.length - limit} more</li> : null}
      </ul>
    </details>
  );
}
