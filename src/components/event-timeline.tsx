// A task's timeline as recorded: each event with its time, the gap since the previous one, the
// host that sent it, and its own fields (retry reasons, exceptions, results) folded away.

import { formatDuration, formatTime } from "../app/_lib/format";
import type { RouterOutputs } from "../trpc/react";

type TimelineEvent = RouterOutputs["history"]["task"]["task"]["events"][number];

export function EventTimeline({ events }: { events: TimelineEvent[] }) {
  if (events.length === 0) return <p className="muted">No event recorded for this task (it may be known only from its result or the workflow plan).</p>;
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp || (a.clock ?? 0) - (b.clock ?? 0));
  return (
    <table>
      <thead>
        <tr>
          <th>time</th>
          <th className="num">+</th>
          <th>event</th>
          <th>host</th>
          <th>fields</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((event, index) => {
          const previous = sorted[index - 1];
          const fields = event.fields && Object.keys(event.fields).length > 0 ? event.fields : null;
          return (
            <tr key={`${event.type}-${event.timestamp}-${index}`}>
              <td className="mono small nowrap">{formatTime(event.timestamp)}</td>
              <td className="num muted nowrap">{previous ? formatDuration(event.timestamp - previous.timestamp) : ""}</td>
              <td>
                <span className={`event-type event-${event.type.replace(/^task-/, "")}`}>{event.type}</span>
              </td>
              <td className="mono small nowrap">{event.hostname ?? ""}</td>
              <td>
                {fields ? (
                  <details>
                    <summary className="mono small">{summarize(fields)}</summary>
                    <pre>{JSON.stringify(fields, null, 2)}</pre>
                  </details>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The first few fields on one line, for the folded view. */
function summarize(fields: Record<string, unknown>): string {
  const line = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}
