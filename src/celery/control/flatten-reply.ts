// Merges per-node replies into one map; mirrors celery/app/control.py flatten_reply.

import type { NodeReply } from "./mailbox";

/**
 * `[{a: r1}, {b: r2}]` → `{a: r1, b: r2}`. A nodename that replied twice (two workers started
 * with the same `-n`) keeps its last reply, as in Celery, which also warns: `onDuplicate`
 * receives those names.
 */
export function flattenReply<T>(replies: readonly NodeReply<T>[], onDuplicate?: (names: string[]) => void): Record<string, T> {
  const nodes: Record<string, T> = {};
  const duplicates = new Set<string>();
  for (const reply of replies) {
    for (const [name, value] of Object.entries(reply)) {
      if (Object.hasOwn(nodes, name)) duplicates.add(name);
      nodes[name] = value;
    }
  }
  if (duplicates.size > 0) onDuplicate?.([...duplicates].sort());
  return nodes;
}
