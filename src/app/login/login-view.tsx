"use client";
// Name and password → auth.login, then back to the page that sent the visitor here (?next=, only
// paths on this site, so a crafted link cannot bounce a fresh session elsewhere).

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../../trpc/react";

function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login") ? next : "/";
}

export function LoginView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const next = safeNext(useSearchParams().get("next"));
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: async () => {
        // Everything cached so far was fetched without a session.
        await queryClient.resetQueries();
        router.replace(next);
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ name, password });
  };
  return (
    <form className="panel login" method="post" onSubmit={submit}>
      <h1>Log in to Celeriac</h1>
      <label>
        Name
        <input name="name" autoComplete="username" value={name} onChange={(event) => setName(event.target.value)} required autoFocus />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} required />
      </label>
      {login.error ? <p className="error">{login.error.message}</p> : null}
      <button type="submit" className="primary" disabled={login.isPending}>
        {login.isPending ? "Logging in…" : "Log in"}
      </button>
    </form>
  );
}
