// A workflow's whole graph by root id: every task (PLANNED steps included), group and edge, with
// only the columns a graph draws, so 10,000 nodes come back in one indexed read each.

import type { SqlClient } from "./sql-client";
import { jsonTaskObject, type TaskRecord } from "./task-record";

const NODE_FIELDS = [
  "id", "name", "state", "parentId", "groupId", "groupIndex", "worker", "queue", "retries", "sentAt", "startedAt", "finishedAt",
  "runtime", "possiblyLost",
] as const satisfies readonly (keyof TaskRecord)[];

export type WorkflowNode = Pick<TaskRecord, (typeof NODE_FIELDS)[number]>;

export interface WorkflowGroup {
  id: string;
  parentId?: string;
  size?: number;
  chordBodyId?: string;
}

export interface WorkflowGraphEdge {
  fromId: string;
  toId: string;
  kind: string;
}

export interface Workflow {
  rootId: string;
  nodes: WorkflowNode[];
  groups: WorkflowGroup[];
  edges: WorkflowGraphEdge[];
}

/** The workflow rooted at `rootId`; empty lists when nothing is known about it. */
export async function getWorkflow(sql: SqlClient, rootId: string): Promise<Workflow> {
  // One round trip, each list aggregated to JSON text in the database (see jsonTaskObject).
  const [row] = await sql.query<{ nodes: string; groups: string; edges: string }>(
    `SELECT
       (SELECT COALESCE(json_agg(${jsonTaskObject("t", NODE_FIELDS)}), '[]') FROM task t WHERE t.root_id = $1 OR t.id = $1)::text AS nodes,
       (SELECT COALESCE(json_agg(json_strip_nulls(json_build_object('id', g.id, 'parentId', g.parent_id, 'size', g.size, 'chordBodyId', g.chord_body_id))), '[]')
          FROM task_group g WHERE g.root_id = $1)::text AS groups,
       (SELECT COALESCE(json_agg(json_build_object('fromId', e.from_id, 'toId', e.to_id, 'kind', e.kind)), '[]')
          FROM workflow_edge e WHERE e.root_id = $1)::text AS edges`,
    rootId,
  );
  return {
    rootId,
    nodes: JSON.parse(row?.nodes ?? "[]") as WorkflowNode[],
    groups: JSON.parse(row?.groups ?? "[]") as WorkflowGroup[],
    edges: JSON.parse(row?.edges ?? "[]") as WorkflowGraphEdge[],
  };
}
