"use client";
// A workflow as it really is: its steps drawn as chains, groups and chords (or as a timeline),
// counts of where it stands, a side panel for the clicked step, and the workflow's actions. The
// view and the selected step live in the URL, so a link shows the same thing to a colleague.

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { GanttChart } from "../../../components/gantt-chart";
import { QueryStatus } from "../../../components/query-status";
import { WorkflowActions } from "../../../components/workflow-actions";
import { WorkflowGraph } from "../../../components/workflow-graph";
import { WorkflowNodePanel } from "../../../components/workflow-node-panel";
import { type RouterOutputs, useTRPC } from "../../../trpc/react";
import { shortName } from "../../_lib/format";
import { liveInterval } from "../../_lib/live";
import { type StateCounts, layoutWorkflow } from "../../_lib/workflow-layout";

type Workflow = RouterOutputs["history"]["workflow"];

// A huge workflow is refreshed less often: its payload and layout cost more than a glance is worth.
const LARGE_WORKFLOW = 2000;
const LARGE_INTERVAL_MS = 10_000;

export function WorkflowView({ rootId }: { rootId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const view = search.get("view") === "timeline" ? "timeline" : "graph";
  const selectedId = search.get("task");
  const query = useQuery({
    ...trpc.history.workflow.queryOptions({ rootId }),
    refetchInterval: (q) => ((q.state.data?.nodes.length ?? 0) > LARGE_WORKFLOW ? LARGE_INTERVAL_MS : liveInterval()),
    placeholderData: keepPreviousData,
  });
  const navigate = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(search.toString());
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) next.delete(key);
      else next.set(key, value);
    }
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  };
  return (
    <QueryStatus query={query} what={`workflow ${rootId}`}>
      {(workflow) => <WorkflowBody workflow={workflow} view={view} selectedId={selectedId} navigate={navigate} />}
    </QueryStatus>
  );
}

function WorkflowBody({ workflow, view, selectedId, navigate }: { workflow: Workflow; view: "graph" | "timeline"; selectedId: string | null; navigate: (changes: Record<string, string | null>) => void }) {
  const flow = useMemo(() => layoutWorkflow(workflow), [workflow]);
  const root = workflow.nodes.find((node) => node.id === workflow.rootId);
  const select = (id: string) => navigate({ task: id === selectedId ? null : id });
  return (
    <>
      <div className="toolbar">
        <h1>
          Workflow <span className="muted">{root ? shortName(root.name) : ""}</span>
        </h1>
        <span className="spacer" />
        <WorkflowActions rootId={workflow.rootId} />
      </div>
      <div className="mono muted id-line">
        root{" "}
        <Link href={`/tasks/${encodeURIComponent(workflow.rootId)}`}>{workflow.rootId}</Link> · <Link href={`/tasks?root=${encodeURIComponent(workflow.rootId)}`}>as a task list</Link>
        {flow.relaunchOf.map((id) => (
          <span key={id}>
            {" "}
            · relaunch of <Link href={`/workflows/${encodeURIComponent(id)}`}>{id}</Link>
          </span>
        ))}
        {flow.relaunchedAs.map((id) => (
          <span key={id}>
            {" "}
            · relaunched as <Link href={`/workflows/${encodeURIComponent(id)}`}>{id}</Link>
          </span>
        ))}
      </div>
      <div className="toolbar">
        <WorkflowCounts counts={flow.counts} groups={flow.groupCount} />
        <span className="spacer" />
        <span className="segmented" role="group" aria-label="View">
          <button type="button" className={view === "graph" ? "selected" : ""} onClick={() => navigate({ view: null })}>
            Graph
          </button>
          <button type="button" className={view === "timeline" ? "selected" : ""} onClick={() => navigate({ view: "timeline" })}>
            Timeline
          </button>
        </span>
      </div>
      <div className={`workflow-layout ${selectedId ? "with-panel" : ""}`}>
        <section className="panel workflow-canvas">
          {view === "graph" ? <WorkflowGraph main={flow.main} detached={flow.detached} selectedId={selectedId} onSelect={select} /> : <GanttChart tasks={workflow.nodes} selectedId={selectedId} onSelect={select} />}
        </section>
        {selectedId ? <WorkflowNodePanel key={selectedId} taskId={selectedId} onClose={() => navigate({ task: null })} /> : null}
      </div>
    </>
  );
}

function WorkflowCounts({ counts, groups }: { counts: StateCounts; groups: number }) {
  return (
    <span className="counts">
      <strong>
        {counts.done.toLocaleString()} of {counts.total.toLocaleString()} steps done
      </strong>
      {counts.failed > 0 ? <span className="error"> · {counts.failed.toLocaleString()} failed</span> : null}
      {counts.running > 0 ? <span> · {counts.running.toLocaleString()} running</span> : null}
      {counts.waiting > 0 ? <span> · {counts.waiting.toLocaleString()} waiting</span> : null}
      {counts.planned > 0 ? <span className="muted"> · {counts.planned.toLocaleString()} planned</span> : null}
      {counts.revoked > 0 ? <span className="muted"> · {counts.revoked.toLocaleString()} revoked</span> : null}
      {groups > 0 ? <span className="muted"> · {groups.toLocaleString()} group{groups === 1 ? "" : "s"}</span> : null}
    </span>
  );
}
