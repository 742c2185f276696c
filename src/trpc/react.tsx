"use client";
// The browser's tRPC client: typed against AppRouter, batched over /api/trpc, superjson for Dates,
// the CSRF token from its cookie on every request so the server can check mutations, and
// subscriptions (live push) as server-sent events.

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { type ReactNode, useState } from "react";
import superjson from "superjson";
import type { AppRouter } from "../server/api/root";
import { CSRF_COOKIE, CSRF_HEADER } from "../server/auth/cookie-names";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

/** What each procedure returns: the UI's only source of server types. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** What each procedure takes (e.g. a worker command's shape). */
export type RouterInputs = inferRouterInputs<AppRouter>;


function csrfToken(): string {
  const match = document.cookie.split("; ").find((part) => part.startsWith(`${CSRF_COOKIE}=`));
  return match ? decodeURIComponent(match.slice(CSRF_COOKIE.length + 1)) : "";
}

/** Wraps the app: one QueryClient and one tRPC client per browser tab. */
export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 1_000, retry: 1 } } }));
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        splitLink({
          // Live push (live.changes) arrives as server-sent events; the session cookie goes with it.
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url: "/api/trpc", transformer: superjson }),
          false: httpBatchLink({ url: "/api/trpc", transformer: superjson, headers: () => ({ [CSRF_HEADER]: csrfToken() }) }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
