// The dashboard's API: every router, merged. The UI's types come from here (RouterOutputs).

import { actionsRouter } from "./routers/actions";
import { authRouter } from "./routers/auth";
import { historyRouter } from "./routers/history";
import { router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  history: historyRouter,
  actions: actionsRouter,
});

export type AppRouter = typeof appRouter;
