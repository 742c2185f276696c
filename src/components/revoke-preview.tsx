// What a revoke will name: each task with its state in the history, the signal when it
// terminates, and the warnings (finished tasks unaffected, running ones interrupted).

import Link from "next/link";
import { shortId } from "../app/_lib/format";
import type { RouterOutputs } from "../trpc/react";
import { StateBadge } from "./state-badge";
import { WarningList } from "./warning-list";

type RevokePreviewData = RouterOutputs["actions"]["previewRevoke"];

const SHOWN = 50;

export function RevokePreview({ preview }: { preview: RevokePreviewData }) {
  return (
    <>
      <p>
        Revoke {preview.tasks.length} task{preview.tasks.length === 1 ? "" : "s"} on every worker{preview.terminate ? `, terminating running ones with ${preview.signal}` : ""}.
      </p>
      <ul className="plain">
        {preview.tasks.slice(0, SHOWN).map((task) => (
          <li key={task.taskId}>
            {task.state ? <StateBadge state={task.state} /> : <span className="badge">unknown</span>} {task.name ?? "?"}{" "}
            <Link className="mono small" href={`/tasks/${encodeURIComponent(task.taskId)}`}>
              {shortId(task.taskId)}
            </Link>
          </li>
        ))}
        {preview.tasks.length > SHOWN ? <li className="muted">… and {preview.tasks.length - SHOWN} more</li> : null}
      </ul>
      <WarningList warnings={preview.warnings} />
    </>
  );
}
