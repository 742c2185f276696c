// The dashboard's HTTP server: tRPC, health and metrics answered here, everything else (pages,
// assets) handed to Next.js. Keeping the API out of Next's bundler means the library, Prisma and
// the ingestor run as plain Node modules in this one process.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { appRouter } from "../api/root";
import { createContext } from "../api/context";
import type { Runtime } from "../runtime/runtime";
import { handleHealth } from "./health";
import { handleMetrics } from "./metrics";

export type PageHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface DashboardServerOptions {
  runtime: Runtime;
  /** Next.js's request handler; without it only the API is served (tests, `--api-only`). */
  pages?: PageHandler;
}

/** Builds (does not start) the server. */
export function createDashboardServer({ runtime, pages }: DashboardServerOptions): Server {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/api/trpc/",
    createContext: ({ req, res }) => createContext(runtime, req, res),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") runtime.log.error(`tRPC ${path ?? "?"}: ${error.message}`);
    },
  });
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("X-Frame-Options", "DENY");
    if (path.startsWith("/api/trpc/")) return trpc(req, res);
    if (path === "/api/health" || path === "/healthz") return void handleHealth(runtime, res);
    if (path === "/metrics") return void handleMetrics(runtime, res);
    if (!pages) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found: this server was started without the dashboard pages.\n");
      return;
    }
    pages(req, res).catch((error: unknown) => {
      runtime.log.error(`page ${path}: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500).end("Internal error\n");
    });
  });
}
