// `celeriac dashboard`: the runtime, the API and the Next.js pages in one process.

import { fileURLToPath } from "node:url";
import next from "next";
import { loadServerConfig } from "../../server/config/server-config";
import { createDashboardServer } from "../../server/http/dashboard-server";
import { createLogger } from "../../server/runtime/logger";
import { buildPages, pagesBuildNeeded } from "../pages-build";
import { startRuntime } from "../../server/runtime/start-runtime";
import { onShutdownSignals } from "./shutdown-signals";

/** The package root: where next.config.js and src/app are. */
export const PROJECT_DIR = fileURLToPath(new URL("../../..", import.meta.url));

export interface DashboardFlags {
  port?: number;
  host?: string;
  dev: boolean;
  /** Serve the API only (no pages): for tests and headless use. */
  pages: boolean;
}

export async function serveDashboard(flags: DashboardFlags): Promise<void> {
  const config = loadServerConfig();
  const log = createLogger("info");
  const dev = flags.dev;
  const rebuild = flags.pages && !dev ? pagesBuildNeeded(PROJECT_DIR) : null;
  if (rebuild) await buildPages(PROJECT_DIR, rebuild);
  const runtime = await startRuntime({
    config,
    log,
    onFirstAdmin: (name, password) => {
      // Printed once, to the terminal only: nothing else ever holds it in clear.
      console.log(`\n  First admin account created.\n  Log in as:  ${name}\n  Password:   ${password}\n  (shown once; add more accounts with \`celeriac users add\`)\n`);
    },
  });
  let pages;
  if (flags.pages) {
    const nextApp = next({ dev, dir: PROJECT_DIR, quiet: !dev });
    await nextApp.prepare();
    const handle = nextApp.getRequestHandler();
    pages = (req: Parameters<typeof handle>[0], res: Parameters<typeof handle>[1]) => handle(req, res);
  }
  const server = createDashboardServer({ runtime, ...(pages ? { pages } : {}) });
  const port = flags.port ?? config.PORT;
  const host = flags.host ?? config.HOST;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  console.log(`Celeriac dashboard on http://${host}:${actualPort}/ (broker ${runtime.app.broker.displayUrl}, store ${runtime.store.where}${runtime.demo ? ", demo cluster" : ""})`);
  onShutdownSignals(log, async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runtime.close();
  });
}
