"use client";
// Whether the logged-in user may run actions of a given role here, and if not why, so buttons are
// disabled with the reason as their tooltip. The server enforces the same rules on every call.

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/react";

const RANK = { viewer: 0, operator: 1, admin: 2 } as const;

export type ActionRole = "operator" | "admin";

/** `{ allowed: true }`, or `{ allowed: false, reason }` for viewers, too-low roles and read-only mode. */
export function usePermission(needed: ActionRole): { allowed: boolean; reason?: string } {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions()).data;
  if (!me?.user) return { allowed: false, reason: "Log in to act." };
  if (me.readOnly) return { allowed: false, reason: "The dashboard runs in read-only mode: actions are disabled." };
  if (RANK[me.user.role] < RANK[needed]) return { allowed: false, reason: `This needs the ${needed} role; you are ${me.user.role}.` };
  return { allowed: true };
}
