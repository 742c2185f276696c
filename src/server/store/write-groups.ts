// Merges group observations (GroupResult ids, chord headers) into task_group: known fields win
// over unknown ones, so a group described by several sources ends complete.

import type { GroupObservation } from "../ingest/observation";
import type { SqlClient } from "./sql-client";

/** Upserts the groups; an undefined field never clears a stored one. */
export async function writeGroups(sql: SqlClient, groups: readonly GroupObservation[]): Promise<void> {
  if (groups.length === 0) return;
  const byId = new Map<string, GroupObservation>();
  for (const group of groups) {
    const defined = Object.fromEntries(Object.entries(group).filter(([, value]) => value !== undefined));
    byId.set(group.id, { ...byId.get(group.id), ...defined, id: group.id });
  }
  await sql.execute(
    `INSERT INTO task_group AS g (id, root_id, parent_id, size, chord_body_id)
     SELECT x.id, x."rootId", x."parentId", x.size, x."chordBodyId"
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, "rootId" text, "parentId" text, size int, "chordBodyId" text)
     ORDER BY x.id
     ON CONFLICT (id) DO UPDATE SET
       root_id = COALESCE(excluded.root_id, g.root_id), parent_id = COALESCE(excluded.parent_id, g.parent_id),
       size = COALESCE(excluded.size, g.size), chord_body_id = COALESCE(excluded.chord_body_id, g.chord_body_id)`,
    JSON.stringify([...byId.values()]),
  );
}
