// How open pages stay current. The server pushes the store's change marks (live.changes, one per
// kind of data; see components/live-updates.tsx) and a page refetches what a change can have
// touched; while that push is not connected (logged out, a proxy that drops server-sent events) the
// pages poll every two seconds instead.

/** Polling while nothing is pushed: within ~2 s of an event every page shows it. */
export const LIVE_INTERVAL_MS = 2_000;
/** With push connected, a slow poll all the same: a safety net, not the way news arrives. */
const PUSHED_INTERVAL_MS = 30_000;

let pushConnected = false;

/** Called by the live-updates component as the push stream connects and drops. */
export function setPushConnected(connected: boolean): void {
  pushConnected = connected;
}

/** A live page's refetchInterval: slow while changes are pushed, every two seconds otherwise. */
export function liveInterval(): number {
  return pushConnected ? PUSHED_INTERVAL_MS : LIVE_INTERVAL_MS;
}

/** The store's marks as the push carries them: kind of data → fingerprint. */
export type Marks = Record<string, string>;

// What each read shows, by procedure path; a read not listed shows a bit of everything.
const SHOWS: Readonly<Record<string, readonly string[]>> = {
  "history.tasks": ["tasks"],
  "history.task": ["tasks"],
  "history.workflow": ["tasks"],
  "history.workers": ["workers"],
  "history.queues": ["queues", "tasks"],
  "audit.list": ["audit"],
  "quarantine.list": ["quarantine", "counters"],
  "demo.state": [],
};

/** The kinds of data whose mark differs between two pushes (all of them after none). */
export function changedKinds(before: Marks | null, after: Marks): Set<string> {
  return new Set(Object.keys(after).filter((kind) => before === null || before[kind] !== after[kind]));
}

/** Whether the read at `path` (e.g. "history.tasks") may show something of the changed kinds. */
export function showsAny(path: string, changed: ReadonlySet<string>): boolean {
  const shows = SHOWS[path];
  return shows === undefined ? changed.size > 0 : shows.some((kind) => changed.has(kind));
}
