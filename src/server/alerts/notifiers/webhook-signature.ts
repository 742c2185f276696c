// The generic webhook's signature: `X-Celeriac-Signature: t=<unix seconds>,v1=<hex>` where v1 is
// HMAC-SHA256 over `<t>.<raw body>` keyed with the channel's secret. Signing the timestamp with
// the body lets receivers refuse replays of an old request.

import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-celeriac-signature";

/** The header value for `body` sent at `timestamp` (epoch seconds). */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  const t = Math.floor(timestamp);
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
}

/**
 * What a receiver does: true when `header` signs `body` with `secret` and its timestamp is within
 * `toleranceSeconds` of `now`.
 */
export function verifyWebhook(secret: string, body: string, header: string, now = Date.now() / 1000, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(",").map((part) => part.trim().split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || typeof parts.v1 !== "string" || Math.abs(now - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${t}.${body}`).digest("hex"));
  const given = Buffer.from(parts.v1);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
