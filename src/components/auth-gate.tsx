"use client";
// Sends a visitor who is not logged in to /login (and back afterwards): every page but the login
// page needs a session; the server refuses the data without one anyway. A logged-in tab listens to
// the server's live push.

import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter } from "next/navigation";
import { type ReactNode, useEffect } from "react";
import { useTRPC } from "../trpc/react";
import { LiveUpdates } from "./live-updates";

const PUBLIC_PATHS = ["/login", "/logout"];

export function AuthGate({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const pathname = usePathname();
  const router = useRouter();
  const open = PUBLIC_PATHS.includes(pathname);
  const loggedOut = me.data !== undefined && me.data.user === null;
  useEffect(() => {
    if (!open && loggedOut) router.replace(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }, [open, loggedOut, router]);
  if (open) return <>{children}</>;
  if (me.error) return <div className="panel error">Cannot reach the dashboard's API: {me.error.message}</div>;
  if (!me.data?.user) return <div className="muted">Checking your session…</div>;
  return (
    <>
      <LiveUpdates />
      {children}
    </>
  );
}
