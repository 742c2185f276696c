// The time ranges operators pick from (overview, task list): a short key that fits in a URL, and
// the epoch-seconds window it means now.

export const TIME_PRESETS = [
  { key: "15m", label: "15 min", seconds: 15 * 60 },
  { key: "1h", label: "1 h", seconds: 3600 },
  { key: "6h", label: "6 h", seconds: 6 * 3600 },
  { key: "24h", label: "24 h", seconds: 24 * 3600 },
  { key: "7d", label: "7 d", seconds: 7 * 24 * 3600 },
] as const;

export type TimePresetKey = (typeof TIME_PRESETS)[number]["key"];

/** The preset named `key`, or undefined for anything else (a hand-edited URL). */
export function timePreset(key: string | null | undefined): (typeof TIME_PRESETS)[number] | undefined {
  return TIME_PRESETS.find((preset) => preset.key === key);
}

/**
 * The window ending now, in epoch seconds. `to` is a minute ahead and both ends are rounded to
 * 10 s, so a query key stays the same between 2-second refreshes and refetches rather than
 * becoming a new query each time.
 */
export function presetRange(key: TimePresetKey, nowMs: number): { from: number; to: number } {
  const preset = timePreset(key) ?? TIME_PRESETS[0];
  const now = Math.floor(nowMs / 10_000) * 10;
  return { from: now - preset.seconds, to: now + 60 };
}
