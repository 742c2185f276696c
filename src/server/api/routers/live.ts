// Live push for open pages: a subscription (server-sent events) that says "the store changed" each
// time it does, so a page refetches what it shows instead of polling. All subscribers share one
// watcher of the store (see ChangeFeed), so fifty open browsers cost the store one read a second.

import type { ChangeMark } from "../../store/index";
import { router, viewerProcedure } from "../trpc";

export const liveRouter = router({
  /**
   * Yields the store's change marks (one per kind of data: tasks, workers, queues, audit,
   * quarantine, counters) now and at every change; the page compares them with the last ones to
   * refetch only what changed. Ends when the browser goes away.
   */
  changes: viewerProcedure.subscription(async function* ({ ctx, signal }) {
    let latest: ChangeMark | null = null;
    let wake: (() => void) | null = null;
    const stop = ctx.runtime.changes.subscribe((mark) => {
      latest = mark;
      wake?.();
    });
    const aborted = new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
    try {
      while (!signal?.aborted) {
        if (latest === null) await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
        wake = null;
        if (latest === null) continue;
        // Only the newest mark matters: a page that was busy refetches once for several changes.
        const mark: ChangeMark = latest;
        latest = null;
        yield { mark };
      }
    } finally {
      stop();
    }
  }),
});
