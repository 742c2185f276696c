"use client";
// /logout: ends the session on the server, forgets everything cached, and returns to the login page.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { useTRPC } from "../../trpc/react";

export default function LogoutPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { mutate, error } = useMutation(
    trpc.auth.logout.mutationOptions({
      onSettled: async () => {
        await queryClient.resetQueries();
        router.replace("/login");
      },
    }),
  );
  // Once, even when React's strict mode runs effects twice in development.
  const sent = useRef(false);
  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    mutate();
  }, [mutate]);
  return <p className="muted">{error ? `Logging out failed: ${error.message}` : "Logging out…"}</p>;
}
