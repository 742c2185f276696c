"use client";
// The options of a revoke: terminate running tasks, and with which signal.

export const REVOKE_SIGNALS = ["SIGTERM", "SIGKILL", "SIGINT", "SIGUSR1"] as const;
export type RevokeSignal = (typeof REVOKE_SIGNALS)[number];

export function RevokeOptions({ terminate, signal, onChange }: { terminate: boolean; signal: RevokeSignal; onChange: (terminate: boolean, signal: RevokeSignal) => void }) {
  return (
    <>
      <label>
        <input type="checkbox" checked={terminate} onChange={(event) => onChange(event.target.checked, signal)} /> terminate if running
      </label>
      <label>
        signal{" "}
        <select value={signal} disabled={!terminate} onChange={(event) => onChange(terminate, event.target.value as RevokeSignal)}>
          {REVOKE_SIGNALS.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </label>
    </>
  );
}
