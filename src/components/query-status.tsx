"use client";
// What a page shows while its data loads or when the query failed, so every page reports an error
// the same way (with the server's message) instead of rendering nothing.

import type { ReactNode } from "react";

interface QueryLike<T> {
  data: T | undefined;
  error: { message: string } | null;
  isPending: boolean;
}

/** Renders `children(data)` once there is data; a refetch error keeps the last data on screen. */
export function QueryStatus<T>({ query, children, what }: { query: QueryLike<T>; children: (data: T) => ReactNode; what: string }) {
  if (query.data !== undefined) {
    return (
      <>
        {query.error ? <div className="banner">Could not refresh {what}: {query.error.message}</div> : null}
        {children(query.data)}
      </>
    );
  }
  if (query.error) return <div className="panel error">Could not load {what}: {query.error.message}</div>;
  return <div className="muted">Loading {what}…</div>;
}
