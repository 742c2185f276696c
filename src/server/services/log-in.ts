// Logs a user in: rate-limited per address and per name, argon2id verification, then a new
// session whose token goes in an httpOnly cookie and whose CSRF token in a readable one.

import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError } from "../app-error";
import { CSRF_COOKIE, SESSION_COOKIE } from "../auth/cookie-names";
import { setCookie } from "../auth/cookies";
import { hashPassword, verifyPassword } from "../auth/password";
import { SESSION_TTL_MS, digestToken, newToken } from "../auth/session-token";
import type { Runtime } from "../runtime/runtime";

export interface LogInInput {
  name: string;
  password: string;
}

// Verifying against a real hash when the name is unknown keeps the response time the same, so
// timing does not reveal which names exist.
let decoyHash: Promise<string> | undefined;
const decoy = () => (decoyHash ??= hashPassword(newToken()));

export async function logIn(runtime: Runtime, input: LogInInput, http: { req: IncomingMessage; res: ServerResponse; clientAddress: string }) {
  const keys = [`addr:${http.clientAddress}`, `name:${input.name.toLowerCase()}`];
  const wait = runtime.loginLimit.retryAfterMs(keys);
  if (wait > 0) throw new AppError("RATE_LIMITED", `Too many failed logins: try again in ${Math.ceil(wait / 60_000)} minute(s).`);
  const user = await runtime.store.findUserByName(input.name);
  const ok = await verifyPassword(user?.passwordHash ?? (await decoy()), input.password);
  if (!user || !ok) {
    runtime.loginLimit.recordFailure(keys);
    throw new AppError("UNAUTHENTICATED", "Wrong name or password.");
  }
  runtime.loginLimit.recordSuccess(keys);
  const token = newToken();
  const csrfToken = newToken();
  await runtime.store.createSession({ id: digestToken(token), userId: user.id, csrfToken, expiresAt: new Date(Date.now() + SESSION_TTL_MS) });
  const maxAge = SESSION_TTL_MS / 1000;
  setCookie(http.req, http.res, SESSION_COOKIE, token, { httpOnly: true, maxAge });
  setCookie(http.req, http.res, CSRF_COOKIE, csrfToken, { httpOnly: false, maxAge });
  return { user: { id: user.id, name: user.name, role: user.role } };
}
