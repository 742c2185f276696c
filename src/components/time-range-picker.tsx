"use client";
// The row of time-range buttons (15 min … 7 d) shared by the overview and the task list.

import { TIME_PRESETS, type TimePresetKey } from "../app/_lib/time-presets";

export function TimeRangePicker({ value, onChange, allowAll }: { value: TimePresetKey | undefined; onChange: (key: TimePresetKey | undefined) => void; allowAll?: boolean }) {
  return (
    <span className="segmented" role="group" aria-label="Time range">
      {allowAll ? (
        <button type="button" className={value === undefined ? "selected" : ""} onClick={() => onChange(undefined)}>
          all
        </button>
      ) : null}
      {TIME_PRESETS.map((preset) => (
        <button type="button" key={preset.key} className={value === preset.key ? "selected" : ""} onClick={() => onChange(preset.key)}>
          {preset.label}
        </button>
      ))}
    </span>
  );
}
