// Records workflow edges; an edge is its (root, from, to, kind), so repeats are no-ops.

import type { WorkflowEdge } from "../ingest/observation";
import type { BatchStatement } from "./batch-statement";

/** Adds the insert of the edges not there yet to the batch statement. */
export function writeEdges(statement: BatchStatement, edges: readonly WorkflowEdge[]): void {
  if (edges.length === 0) return;
  const rows = edges.map(({ rootId, fromId, toId, kind }) => ({ rootId, fromId, toId, kind }));
  statement.add(
    "edges",
    `INSERT INTO workflow_edge (root_id, from_id, to_id, kind)
     SELECT x."rootId", x."fromId", x."toId", x.kind
     FROM jsonb_to_recordset(${statement.param(JSON.stringify(rows))}::jsonb) AS x("rootId" text, "fromId" text, "toId" text, kind text)
     ORDER BY 1, 2, 3, 4
     ON CONFLICT DO NOTHING`,
  );
}
