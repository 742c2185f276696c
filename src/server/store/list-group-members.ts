// A group's members and recorded size, for the control plane's chord retry. Members of a
// top-level group or chord are each their own workflow root, so a root's graph does not hold
// them all; there is no index on group_id, so the read is bounded to a time window around the
// members' sending (they leave together), which the first_at index serves.

import type { SqlClient } from "./sql-client";
import { selectTaskColumns, type TaskRecord, taskFromRow } from "./task-record";

const MEMBER_FIELDS = ["id", "name", "state", "groupId", "groupIndex", "rootId"] as const satisfies readonly (keyof TaskRecord)[];

export type GroupMember = Pick<TaskRecord, (typeof MEMBER_FIELDS)[number]>;

export interface GroupMembers {
  /** The size recorded for the group (the chord header's), when known. */
  size?: number;
  chordBodyId?: string;
  /** Members first seen within the window, by group_index. */
  members: GroupMember[];
}

/** The members of `groupId` first seen between `from` and `to` (epoch seconds), and the group's recorded size. */
export async function listGroupMembers(sql: SqlClient, groupId: string, window: { from: number; to: number }): Promise<GroupMembers> {
  const [members, groups] = await Promise.all([
    sql.query<Record<string, unknown>>(
      `SELECT ${selectTaskColumns("t", MEMBER_FIELDS)} FROM task t
       WHERE t.first_at >= to_timestamp($2::float8) AND t.first_at < to_timestamp($3::float8) AND t.group_id = $1
       ORDER BY t.group_index NULLS LAST, t.id`,
      groupId,
      window.from,
      window.to,
    ),
    sql.query<{ size: number | null; chordBodyId: string | null }>(`SELECT size, chord_body_id AS "chordBodyId" FROM task_group WHERE id = $1`, groupId),
  ]);
  const group = groups[0];
  return { size: group?.size ?? undefined, chordBodyId: group?.chordBodyId ?? undefined, members: members.map((row) => taskFromRow(row) as GroupMember) };
}
