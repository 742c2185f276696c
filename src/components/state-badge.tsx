// A task state as a coloured pill (colours in globals.css), flagged when the worker that ran the
// task went offline before it finished.

export function StateBadge({ state, possiblyLost }: { state: string; possiblyLost?: boolean }) {
  return (
    <span className={`badge state-${state}`} title={possiblyLost ? "Its worker went offline before it finished: it may be lost." : state}>
      {state}
      {possiblyLost ? " ⚠" : ""}
    </span>
  );
}
