// Folds workflow-plan placeholders into the real tasks and groups a captured message names
// (TaskObservation/GroupObservation.plannedId): edges, parent/group/chord references and group
// fields move to the real id, and the placeholder disappears. Unknown placeholders are ignored.

import { PLANNED } from "./state-rank";
import type { SqlClient } from "./sql-client";

/** A placeholder id and the real id it stood for. */
export interface PlannedPair {
  planned: string;
  real: string;
}

const PAIRS = `jsonb_to_recordset($1::jsonb) AS p(planned text, "real" text)`;

/** Re-points everything naming a placeholder in `pairs` at its real id. */
export async function foldPlanned(sql: SqlClient, pairs: readonly PlannedPair[]): Promise<void> {
  const useful = pairs.filter((pair) => pair.planned !== pair.real);
  if (useful.length === 0) return;
  const planned = useful.map((pair) => pair.planned);
  // The hot path: usually no placeholder exists (the plan was never recorded, or already folded).
  const present = await sql.query<{ id: string; root_id: string | null }>(
    `SELECT id, root_id FROM task WHERE id = ANY($1::text[]) UNION ALL SELECT id, root_id FROM task_group WHERE id = ANY($1::text[])`,
    planned,
  );
  if (present.length === 0) return;
  const found = new Set(present.map((row) => row.id));
  const json = JSON.stringify(useful.filter((pair) => found.has(pair.planned)));
  const roots = [...new Set(present.map((row) => row.root_id).filter((root): root is string => root !== null))];

  await sql.execute(
    `WITH p AS (SELECT * FROM ${PAIRS}),
     moved AS (
       INSERT INTO workflow_edge (root_id, from_id, to_id, kind)
       SELECT e.root_id, COALESCE(pf."real", e.from_id), COALESCE(pt."real", e.to_id), e.kind
       FROM workflow_edge e LEFT JOIN p pf ON pf.planned = e.from_id LEFT JOIN p pt ON pt.planned = e.to_id
       WHERE pf.planned IS NOT NULL OR pt.planned IS NOT NULL
       ON CONFLICT DO NOTHING)
     DELETE FROM workflow_edge e USING p WHERE e.from_id = p.planned OR e.to_id = p.planned`,
    json,
  );
  // References by tasks and groups of the same workflows (root_id is indexed; parent/group ids are not).
  await sql.execute(
    `UPDATE task t SET parent_id = COALESCE(pp."real", t.parent_id), group_id = COALESCE(pg."real", t.group_id), updated_at = now()
     FROM task t2 LEFT JOIN ${PAIRS.replace("AS p(", "AS pp(")} ON pp.planned = t2.parent_id
          LEFT JOIN jsonb_to_recordset($1::jsonb) AS pg(planned text, "real" text) ON pg.planned = t2.group_id
     WHERE t2.id = t.id AND t.root_id = ANY($2::text[]) AND (pp.planned IS NOT NULL OR pg.planned IS NOT NULL)`,
    json,
    roots,
  );
  await sql.execute(
    `INSERT INTO task_group AS g (id, root_id, parent_id, size, chord_body_id)
     SELECT p."real", old.root_id, old.parent_id, old.size, old.chord_body_id FROM task_group old JOIN ${PAIRS} ON p.planned = old.id
     ON CONFLICT (id) DO UPDATE SET root_id = COALESCE(g.root_id, excluded.root_id), parent_id = COALESCE(g.parent_id, excluded.parent_id),
       size = COALESCE(g.size, excluded.size), chord_body_id = COALESCE(g.chord_body_id, excluded.chord_body_id)`,
    json,
  );
  await sql.execute(
    `UPDATE task_group g SET chord_body_id = p."real" FROM ${PAIRS} WHERE g.chord_body_id = p.planned AND g.root_id = ANY($2::text[])`,
    json,
    roots,
  );
  await sql.execute(`DELETE FROM task_group WHERE id = ANY($1::text[])`, [...found]);
  await sql.execute(`DELETE FROM task WHERE id = ANY($1::text[]) AND state = '${PLANNED}'`, [...found]);
}
