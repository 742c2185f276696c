// The dashboard's API: every router, merged. The UI's types come from here (RouterOutputs).

import { actionsRouter } from "./routers/actions";
import { alertsRouter } from "./routers/alerts";
import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { demoRouter } from "./routers/demo";
import { historyRouter } from "./routers/history";
import { liveRouter } from "./routers/live";
import { quarantineRouter } from "./routers/quarantine";
import { router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  history: historyRouter,
  audit: auditRouter,
  demo: demoRouter,
  actions: actionsRouter,
  quarantine: quarantineRouter,
  live: liveRouter,
  alerts: alertsRouter,
});

export type AppRouter = typeof appRouter;
