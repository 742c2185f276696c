"use client";
// The workflow's timeline: one row per task in start order, waiting (sent → started) as a pale
// bar and running (started → finished) in its state's colour, on one time axis. Rows are
// virtualised: a 10,000-task workflow draws only the few dozen rows in view.

import { useState } from "react";
import { formatDuration, shortName } from "../app/_lib/format";
import { type GanttTaskInput, ganttRows, visibleRowRange } from "../app/_lib/gantt-rows";

const ROW_HEIGHT = 24;
const VIEWPORT_HEIGHT = 560;
const TICKS = 6;

export function GanttChart<T extends GanttTaskInput>({ tasks, selectedId, onSelect }: { tasks: readonly T[]; selectedId: string | null; onSelect: (id: string) => void }) {
  const [scrollTop, setScrollTop] = useState(0);
  const { rows, start, end, untimed } = ganttRows(tasks, Date.now() / 1000);
  const span = end - start;
  const x = (t: number) => `${((t - start) / span) * 100}%`;
  const width = (from: number, to: number) => `${Math.max(((to - from) / span) * 100, 0.15)}%`;
  const { first, last } = visibleRowRange(scrollTop, VIEWPORT_HEIGHT, ROW_HEIGHT, rows.length);
  return (
    <div className="gantt">
      <div className="gantt-axis">
        <span className="gantt-label muted small">
          {rows.length.toLocaleString()} tasks{untimed > 0 ? ` · ${untimed.toLocaleString()} planned, not on the axis` : ""}
        </span>
        <div className="gantt-track">
          {Array.from({ length: TICKS + 1 }, (_, i) => (
            <span key={i} className="tick" style={{ left: `${(i / TICKS) * 100}%` }}>
              {i === 0 ? "0" : `+${formatDuration((span * i) / TICKS)}`}
            </span>
          ))}
        </div>
      </div>
      <div className="gantt-body" style={{ height: Math.min(VIEWPORT_HEIGHT, rows.length * ROW_HEIGHT + 2) }} onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
        <div style={{ height: rows.length * ROW_HEIGHT, position: "relative" }}>
          {rows.slice(first, last).map((row, offset) => {
            const task = row.task;
            const runEnd = row.runTo ?? end;
            return (
              <div
                key={task.id}
                className={`gantt-row ${selectedId === task.id ? "selected" : ""}`}
                style={{ top: (first + offset) * ROW_HEIGHT, height: ROW_HEIGHT }}
                onClick={() => onSelect(task.id)}
                title={`${task.name ?? "?"} ${task.id}\n${task.state}${row.runFrom !== undefined ? ` · ran ${formatDuration(runEnd - row.runFrom)}` : ""}${row.waitFrom !== undefined && row.runFrom !== undefined ? ` · waited ${formatDuration(row.runFrom - row.waitFrom)}` : ""}`}
              >
                <span className="gantt-label">{shortName(task.name)}</span>
                <div className="gantt-track">
                  {row.waitFrom !== undefined ? <span className="bar wait" style={{ left: x(row.waitFrom), width: width(row.waitFrom, row.runFrom ?? row.runTo ?? end) }} /> : null}
                  {row.runFrom !== undefined ? <span className={`bar run state-${task.state} ${row.open ? "open" : ""}`} style={{ left: x(row.runFrom), width: width(row.runFrom, runEnd) }} /> : null}
                  {row.runFrom === undefined && row.runTo !== undefined ? <span className={`bar instant state-${task.state}`} style={{ left: x(row.runTo) }} /> : null}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
