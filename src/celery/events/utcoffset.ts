// Celery's event timezone arithmetic; mirrors utcoffset and adjust_timestamp in celery/utils/time.py.

/**
 * The local offset from UTC in whole hours as Celery puts it in events: Python's
 * `time.timezone // 3600` (or `time.altzone` in DST), so positive WEST of UTC (UTC+2 gives -2)
 * and floored (UTC+5:30 gives -6).
 */
export function utcoffset(at: Date = new Date()): number {
  // getTimezoneOffset() is already "minutes west of UTC" and already accounts for DST.
  return Math.floor(at.getTimezoneOffset() / 60);
}

/**
 * Shifts an event timestamp from the sender's zone into ours, as Celery's receiver does before
 * handing events to monitors: `timestamp - (offset - here) * 3600`.
 */
export function adjustTimestamp(timestamp: number, offset: number, here: number = utcoffset()): number {
  return timestamp - (offset - here) * 3600;
}
