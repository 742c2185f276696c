// An embedded dashboard for API tests: PGlite in memory, the in-memory broker with the demo
// cluster, the first admin from the environment, other accounts added directly, and the HTTP
// server on a free port.

import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { Role } from "../../../src/server/auth/roles";
import { loadServerConfig } from "../../../src/server/config/server-config";
import { createDashboardServer } from "../../../src/server/http/dashboard-server";
import { createLogger } from "../../../src/server/runtime/logger";
import type { Runtime } from "../../../src/server/runtime/runtime";
import { startRuntime } from "../../../src/server/runtime/start-runtime";
import { addUser } from "../../../src/server/services/add-user";

export interface EmbeddedDashboard {
  runtime: Runtime;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startEmbeddedDashboard(admin: { name: string; password: string }, users: { name: string; role: Role; password: string }[] = []): Promise<EmbeddedDashboard> {
  const config = loadServerConfig({ DATABASE_URL: "memory:", CELERIAC_ADMIN_USER: admin.name, CELERIAC_ADMIN_PASSWORD: admin.password });
  const runtime = await startRuntime({ config, log: createLogger("silent"), onFirstAdmin: () => {} });
  for (const user of users) await addUser(runtime.store, user);
  const server: Server = createDashboardServer({ runtime });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    runtime,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await runtime.close();
    },
  };
}
