"use client";
// The task list's filters: text fields applied on Enter / Apply, states and time range applied as
// soon as they are clicked. The list page owns the state (it lives in the URL).

import { type FormEvent, useEffect, useState } from "react";
import { TASK_STATES, type TaskFilters } from "../app/_lib/task-filters";
import { TimeRangePicker } from "./time-range-picker";

const TEXT_FIELDS = [
  { field: "name", label: "task name", placeholder: "seedflow.add", width: 180 },
  { field: "worker", label: "worker", placeholder: "celery@host", width: 160 },
  { field: "queue", label: "queue", placeholder: "celery", width: 100 },
  { field: "rootId", label: "workflow root id", placeholder: "root id", width: 160 },
  { field: "text", label: "text in args, result, exception", placeholder: "search args, result, exception", width: 220 },
] as const;

type TextField = (typeof TEXT_FIELDS)[number]["field"];

export function TaskFilterBar({ filters, onChange }: { filters: TaskFilters; onChange: (filters: TaskFilters) => void }) {
  const [draft, setDraft] = useState(filters);
  // A new URL (back button, pasted link) replaces whatever was being typed.
  useEffect(() => setDraft(filters), [filters]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange(draft);
  };
  const toggleState = (state: string) => {
    const states = filters.states.includes(state) ? filters.states.filter((s) => s !== state) : [...filters.states, state];
    onChange({ ...draft, states });
  };
  return (
    <form className="panel filters" onSubmit={submit}>
      <div className="toolbar">
        {TEXT_FIELDS.map(({ field, label, placeholder, width }) => (
          <input
            key={field}
            name={field}
            aria-label={label}
            title={label}
            placeholder={placeholder}
            style={{ width }}
            value={draft[field as TextField] ?? ""}
            onChange={(event) => setDraft({ ...draft, [field]: event.target.value || undefined })}
          />
        ))}
        <select aria-label="order" value={draft.order} onChange={(event) => onChange({ ...draft, order: event.target.value === "oldest" ? "oldest" : "newest" })}>
          <option value="newest">newest first</option>
          <option value="oldest">oldest first</option>
        </select>
        <button type="submit" className="primary">
          Apply
        </button>
        <button type="button" onClick={() => onChange({ states: [], order: "newest" })}>
          Clear
        </button>
      </div>
      <div className="toolbar">
        <span className="state-toggles" role="group" aria-label="States">
          {TASK_STATES.map((state) => (
            <label key={state} className={`badge state-toggle ${filters.states.includes(state) ? `state-${state}` : "off"}`}>
              <input type="checkbox" checked={filters.states.includes(state)} onChange={() => toggleState(state)} />
              {state}
            </label>
          ))}
        </span>
        <span className="spacer" />
        <TimeRangePicker value={filters.range} allowAll onChange={(range) => onChange({ ...draft, range })} />
      </div>
    </form>
  );
}
