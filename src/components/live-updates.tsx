"use client";
// Listens to the server's live push (live.changes) for the whole tab, once logged in: when a kind
// of data changes (tasks, workers, queues, …) the reads on screen that show it refetch — at once,
// then at most every two seconds however busy the cluster, which is no more than the polling it
// replaces. While it is connected pages stop polling fast (see app/_lib/live.ts).

import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useRef } from "react";
import { useTRPC } from "../trpc/react";
import { changedKinds, LIVE_INTERVAL_MS, type Marks, setPushConnected, showsAny } from "../app/_lib/live";

export function LiveUpdates() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const previous = useRef<Marks | null>(null);
  const waiting = useRef(new Set<string>());
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refetchShown = () => {
    const changed = new Set(waiting.current);
    waiting.current.clear();
    last.current = Date.now();
    timer.current = null;
    // Queries of pages not on screen refetch when opened; the session (auth.me) is not history.
    void queryClient.invalidateQueries({
      predicate: (query) => {
        const path = ((query.queryKey[0] as string[] | undefined) ?? []).join(".");
        return query.getObserversCount() > 0 && !path.startsWith("auth.") && showsAny(path, changed);
      },
    });
  };
  const subscription = useSubscription(
    trpc.live.changes.subscriptionOptions(undefined, {
      onData: ({ mark: marks }) => {
        // The tab's first marks say nothing changed: its pages have just loaded their reads.
        const first = previous.current === null;
        if (!first) for (const kind of changedKinds(previous.current, marks)) waiting.current.add(kind);
        previous.current = marks;
        if (waiting.current.size === 0 || timer.current) return;
        const wait = last.current + LIVE_INTERVAL_MS - Date.now();
        if (wait <= 0) refetchShown();
        else timer.current = setTimeout(refetchShown, wait);
      },
    }),
  );
  const connected = subscription.status === "pending" && subscription.data !== undefined;
  useEffect(() => {
    setPushConnected(connected);
    return () => setPushConnected(false);
  }, [connected]);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  return null;
}
