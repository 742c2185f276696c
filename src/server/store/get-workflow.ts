// A workflow's whole graph by root id: every task (PLANNED steps included), group and edge, with
// only the columns a graph draws, so 10,000 nodes come back in one indexed read each.

import type { SqlClient } from "./sql-client";
import { selectTaskColumns, type TaskRecord, taskFromRow } from "./task-record";

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

function defined<T extends object>(row: T): T {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null)) as T;
}

/** The workflow rooted at `rootId`; empty lists when nothing is known about it. */
export async function getWorkflow(sql: SqlClient, rootId: string): Promise<Workflow> {
  const [nodes, groups, edges] = await Promise.all([
    sql.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT ${selectTaskColumns("t", NODE_FIELDS)} FROM task t WHERE t.root_id = $1 OR t.id = $1`, rootId),
    sql.$queryRawUnsafe<WorkflowGroup[]>(`SELECT id, parent_id AS "parentId", size, chord_body_id AS "chordBodyId" FROM task_group WHERE root_id = $1`, rootId),
    sql.$queryRawUnsafe<WorkflowGraphEdge[]>(`SELECT from_id AS "fromId", to_id AS "toId", kind FROM workflow_edge WHERE root_id = $1`, rootId),
  ]);
  return { rootId, nodes: nodes.map((row) => taskFromRow(row) as WorkflowNode), groups: groups.map(defined), edges };
}
