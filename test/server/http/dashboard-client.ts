// A tRPC client for tests that talks to a running dashboard server over real HTTP, keeping its
// cookies like a browser and echoing the CSRF cookie in the header the server checks.

import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "../../../src/server/api/root";
import { CSRF_COOKIE, CSRF_HEADER } from "../../../src/server/auth/cookie-names";

export function dashboardClient(baseUrl: string, options: { sendCsrf?: boolean } = {}) {
  const cookies = new Map<string, string>();
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${baseUrl}/api/trpc`,
        transformer: superjson,
        headers: () => ({
          cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; "),
          ...(options.sendCsrf === false ? {} : { [CSRF_HEADER]: decodeURIComponent(cookies.get(CSRF_COOKIE) ?? "") }),
        }),
        fetch: async (url, init) => {
          const response = await fetch(url, init as RequestInit);
          for (const cookie of response.headers.getSetCookie()) {
            const [pair = "", ...attributes] = cookie.split("; ");
            const [name = "", value = ""] = pair.split("=");
            if (attributes.includes("Max-Age=0")) cookies.delete(name);
            else cookies.set(name, value);
          }
          return response;
        },
      }),
    ],
  });
  return { client, cookies };
}
