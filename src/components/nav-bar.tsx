"use client";
// The top navigation: the pages an operator moves between, who is logged in, and the demo label.

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/react";

const PAGES = [
  { href: "/", label: "Overview" },
  { href: "/tasks", label: "Tasks" },
  { href: "/workers", label: "Workers" },
  { href: "/queues", label: "Queues" },
  { href: "/alerts", label: "Alerts" },
  { href: "/send", label: "Send task" },
  { href: "/audit", label: "Audit log" },
  { href: "/quarantine", label: "Quarantine" },
] as const;

export function NavBar() {
  const pathname = usePathname();
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const active = (href: string) => (href === "/" ? pathname === "/" : pathname.startsWith(href));
  return (
    <nav className="top">
      <Link href="/" className="brand">
        Celeriac
      </Link>
      {PAGES.map((page) => (
        <Link key={page.href} href={page.href} className={active(page.href) ? "active" : ""}>
          {page.label}
        </Link>
      ))}
      {me.data?.demo ? (
        <Link href="/demo" className={active("/demo") ? "active" : ""}>
          Demo
        </Link>
      ) : null}
      <span className="spacer" />
      {me.data?.demo ? <span className="badge demo" title="The embedded demo cluster runs on the in-memory broker">demo</span> : null}
      {me.data?.readOnly ? <span className="badge">read-only</span> : null}
      {me.data?.user ? (
        <span>
          {me.data.user.name} ({me.data.user.role}) · <a href="/logout">log out</a>
        </span>
      ) : (
        <Link href="/login">log in</Link>
      )}
    </nav>
  );
}
