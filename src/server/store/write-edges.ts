// Records workflow edges; an edge is its (root, from, to, kind), so repeats are no-ops.

import type { WorkflowEdge } from "../ingest/observation";
import type { SqlClient } from "./sql-client";

/** Inserts the edges that are not there yet. */
export async function writeEdges(sql: SqlClient, edges: readonly WorkflowEdge[]): Promise<void> {
  if (edges.length === 0) return;
  await sql.execute(
    `INSERT INTO workflow_edge (root_id, from_id, to_id, kind)
     SELECT x."rootId", x."fromId", x."toId", x.kind
     FROM jsonb_to_recordset($1::jsonb) AS x("rootId" text, "fromId" text, "toId" text, kind text)
     ORDER BY 1, 2, 3, 4
     ON CONFLICT DO NOTHING`,
    JSON.stringify(edges.map(({ rootId, fromId, toId, kind }) => ({ rootId, fromId, toId, kind }))),
  );
}
