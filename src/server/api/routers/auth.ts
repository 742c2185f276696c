// Who is logged in, logging in and out.

import { z } from "zod";
import { AppError } from "../../app-error";
import { CSRF_COOKIE, SESSION_COOKIE } from "../../auth/cookie-names";
import { setCookie } from "../../auth/cookies";
import { logIn } from "../../services/log-in";
import { publicProcedure, router, viewerProcedure } from "../trpc";

export const authRouter = router({
  me: publicProcedure.query(({ ctx }) => ({
    user: ctx.session?.user ?? null,
    readOnly: ctx.runtime.config.CELERIAC_READ_ONLY,
    demo: ctx.runtime.demo !== null,
  })),

  login: publicProcedure.input(z.object({ name: z.string().trim().min(1).max(100), password: z.string().min(1).max(1000) })).mutation(({ ctx, input }) => {
    // Login has no session to carry a CSRF token yet: refuse requests another site's page sent.
    const site = ctx.req.headers["sec-fetch-site"];
    if (site === "cross-site") throw new AppError("CSRF", "Cross-site login request refused.");
    return logIn(ctx.runtime, input, ctx);
  }),

  logout: viewerProcedure.mutation(async ({ ctx }) => {
    await ctx.runtime.store.deleteSession(ctx.session.id);
    setCookie(ctx.req, ctx.res, SESSION_COOKIE, "", { httpOnly: true, maxAge: 0 });
    setCookie(ctx.req, ctx.res, CSRF_COOKIE, "", { httpOnly: false, maxAge: 0 });
    return { ok: true };
  }),
});
