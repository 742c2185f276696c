// The demo cluster's switch: whether the third-party API its post_to_api step calls is "down" or
// "fixed". Only present when the dashboard runs the embedded demo; flipping it is an audited action
// like any other, so the audit page shows who broke or fixed the demo.

import { z } from "zod";
import { AppError } from "../../app-error";
import { runAction } from "../../services/run-action";
import { operatorProcedure, router, viewerProcedure } from "../trpc";

export const demoRouter = router({
  state: viewerProcedure.query(({ ctx }) => ({ enabled: ctx.runtime.demo !== null, apiFixed: ctx.runtime.demo?.switches.apiFixed ?? false })),

  setApiFixed: operatorProcedure
    .input(z.object({ fixed: z.boolean(), reason: z.string().trim().max(500).optional(), idempotencyKey: z.uuid() }))
    .mutation(({ ctx, input }) => {
      const demo = ctx.runtime.demo;
      if (!demo) throw new AppError("NOT_FOUND", "This dashboard runs no demo cluster (it starts only on the in-memory broker): there is nothing to fix.");
      return runAction(ctx, { action: "demo.setApiFixed", target: "seedflow.post_to_api", reason: input.reason, input: { fixed: input.fixed }, idempotencyKey: input.idempotencyKey }, async () => {
        demo.switches.apiFixed = input.fixed;
        return { apiFixed: demo.switches.apiFixed };
      });
    }),
});
