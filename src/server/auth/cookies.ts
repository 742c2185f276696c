// Reading and writing the dashboard's cookies on Node's request/response.

import type { IncomingMessage, ServerResponse } from "node:http";

/** The value of cookie `name`, or undefined. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

export interface CookieOptions {
  httpOnly: boolean;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
}

/** Adds a Set-Cookie header (SameSite=Lax, Path=/; Secure when the request came over TLS). */
export function setCookie(req: IncomingMessage, res: ServerResponse, name: string, value: string, options: CookieOptions): void {
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  const cookie = [`${name}=${encodeURIComponent(value)}`, "Path=/", "SameSite=Lax", `Max-Age=${options.maxAge}`, options.httpOnly ? "HttpOnly" : "", secure ? "Secure" : ""].filter(Boolean).join("; ");
  const existing = res.getHeader("set-cookie");
  res.setHeader("set-cookie", [...(Array.isArray(existing) ? existing : existing ? [String(existing)] : []), cookie]);
}
