// The idempotency key of an action's submission after an attempt failed: kept when the server
// never answered (the action may have run: re-sending must not run it twice), replaced when the
// server answered with an error (that submission is over: the next attempt is a new one, and the
// server would refuse the old key with CONFLICT).

/** True when `error` carries the server's answer (a tRPC error with data), not a lost connection. */
export function serverAnswered(error: unknown): boolean {
  const data = (error as { data?: unknown } | null)?.data;
  return data !== undefined && data !== null;
}

/** The key the next attempt uses. */
export function keyAfterFailure(error: unknown, key: string, newKey: () => string): string {
  return serverAnswered(error) ? newKey() : key;
}
