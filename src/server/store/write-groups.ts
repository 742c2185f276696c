// Merges group observations (GroupResult ids, chord headers) into task_group: known fields win
// over unknown ones, so a group described by several sources ends complete.

import type { GroupObservation } from "../ingest/observation";
import type { BatchStatement } from "./batch-statement";

/** Adds the groups' upsert to the batch statement; an undefined field never clears a stored one. */
export function writeGroups(statement: BatchStatement, groups: readonly GroupObservation[]): void {
  if (groups.length === 0) return;
  const byId = new Map<string, GroupObservation>();
  for (const group of groups) {
    const defined = Object.fromEntries(Object.entries(group).filter(([, value]) => value !== undefined));
    byId.set(group.id, { ...byId.get(group.id), ...defined, id: group.id });
  }
  const rows = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  statement.add(
    "groups",
    `INSERT INTO task_group AS g (id, root_id, parent_id, size, chord_body_id)
     SELECT x.id, x."rootId", x."parentId", x.size, x."chordBodyId"
     FROM jsonb_to_recordset(${statement.param(JSON.stringify(rows))}::jsonb) AS x(id text, "rootId" text, "parentId" text, size int, "chordBodyId" text)
     ON CONFLICT (id) DO UPDATE SET
       root_id = COALESCE(excluded.root_id, g.root_id), parent_id = COALESCE(excluded.parent_id, g.parent_id),
       size = COALESCE(excluded.size, g.size), chord_body_id = COALESCE(excluded.chord_body_id, g.chord_body_id)`,
  );
}
