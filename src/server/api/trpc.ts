// tRPC's foundation for the dashboard: the request context, the one place AppError becomes a
// tRPC error, and procedures by role. Every mutation is authorised here on the server, whatever
// the UI shows: operators and admins only, never in read-only mode, and only with the session's
// CSRF token echoed in a header (a cross-site form cannot set headers).

import type { IncomingMessage, ServerResponse } from "node:http";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { APP_ERROR_CODES, AppError } from "../app-error";
import { CSRF_HEADER } from "../auth/cookie-names";
import { hasRole, type Role } from "../auth/roles";
import { tokensMatch } from "../auth/session-token";
import type { Runtime } from "../runtime/runtime";

export interface SessionUser {
  id: string;
  name: string;
  role: Role;
}

export interface Context {
  runtime: Runtime;
  /** The logged-in user, with the CSRF token bound to their session. */
  session: { id: string; user: SessionUser; csrfToken: string } | null;
  /** The address rate limits and the audit log use (X-Forwarded-For only behind a trusted proxy). */
  clientAddress: string;
  req: IncomingMessage;
  res: ServerResponse;
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  // Live push: a comment line every 15 s keeps proxies from closing a quiet stream; a browser that
  // hears nothing for 40 s reconnects.
  sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 40_000 } },
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        // Field errors for forms; never the stack.
        zod: cause instanceof ZodError ? z.flattenError(cause) : null,
        appCode: cause instanceof AppError ? cause.code : null,
        stack: undefined,
      },
    };
  },
});

// AppError → TRPCError, here and nowhere else.
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: APP_ERROR_CODES[cause.code], message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(mapErrors);

/** Any logged-in user: reads. */
export const viewerProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session) throw new AppError("UNAUTHENTICATED", "Log in to see this.");
  return next({ ctx: { ...ctx, session: ctx.session } });
});

function requireActor(role: Role) {
  return viewerProcedure.use(({ ctx, type, next }) => {
    if (!hasRole(ctx.session.user.role, role)) throw new AppError("FORBIDDEN", `This needs the ${role} role; you are ${ctx.session.user.role}. Ask an admin.`);
    if (type === "mutation") {
      if (ctx.runtime.config.CELERIAC_READ_ONLY) throw new AppError("READ_ONLY", "The dashboard runs in read-only mode (CELERIAC_READ_ONLY): actions are disabled.");
      const header = ctx.req.headers[CSRF_HEADER];
      if (typeof header !== "string" || !tokensMatch(header, ctx.session.csrfToken)) {
        throw new AppError("CSRF", "Missing or wrong CSRF token: reload the page and try again.");
      }
    }
    return next();
  });
}

/** Acting on tasks, workflows and workers. */
export const operatorProcedure = requireActor("operator");
/** Accounts and destructive queue operations. */
export const adminProcedure = requireActor("admin");
