// Session and CSRF tokens: random, sent to the browser once, stored only as a SHA-256 digest so a
// leaked database does not leak live sessions.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Sessions end after this long without renewal. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** 256 bits from the OS, base64url. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function digestToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Constant-time string comparison for tokens. */
export function tokensMatch(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
