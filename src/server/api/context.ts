// Builds each request's tRPC context: the runtime and the session named by the cookie.

import type { IncomingMessage, ServerResponse } from "node:http";
import { SESSION_COOKIE } from "../auth/cookie-names";
import { readCookie } from "../auth/cookies";
import { digestToken } from "../auth/session-token";
import type { Runtime } from "../runtime/runtime";
import type { Context } from "./trpc";

/** The client's address as the socket sees it (no proxy headers are trusted). */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? "unknown";
}

export async function createContext(runtime: Runtime, req: IncomingMessage, res: ServerResponse): Promise<Context> {
  const token = readCookie(req, SESSION_COOKIE);
  const found = token ? await runtime.store.findSession(digestToken(token)) : null;
  return {
    runtime,
    session: found ? { id: found.id, user: found.user, csrfToken: found.csrfToken } : null,
    clientAddress: clientAddress(req),
    req,
    res,
  };
}
