"use client";
// The workflow drawn as it really is, from layoutWorkflow's tree: a chain is a vertical sequence of
// steps joined by the edge that links them, a group or chord header a container of its members
// with "n of m done / k failed", callbacks and other fan-outs branch off to the right, planned
// steps are dashed. Plain HTML boxes rather than SVG, and only what is on screen: big groups start
// as a summary block, and long sequences and expanded groups draw a page at a time.

import { useState } from "react";
import { formatDuration, shortId, shortName } from "../app/_lib/format";
import { type FlowGroupItem, type FlowItem, type FlowSequence, type FlowTaskInput, PAGE_SIZE, type StateCounts, visibleItems, visibleLanes } from "../app/_lib/workflow-layout";

/** The node fields the graph shows (history.workflow's nodes have them). */
export interface GraphTask extends FlowTaskInput {
  runtime?: number;
  retries?: number;
  possiblyLost?: boolean;
}

interface GraphProps {
  selectedId: string | null;
  onSelect: (id: string) => void;
}

/** How many items of each sequence / lanes of each group are shown, by id. */
type Shown = Record<string, number>;

interface ViewState {
  expanded: Set<string>;
  shown: Shown;
  toggle: (groupId: string) => void;
  showMore: (id: string, count: number) => void;
}

const EDGE_LABEL: Record<string, string> = { chain: "then", chord: "chord body", link: "on success", link_error: "on error", parent: "child" };

export function WorkflowGraph({ main, detached, selectedId, onSelect }: GraphProps & { main: FlowSequence<GraphTask>; detached: FlowSequence<GraphTask>[] }) {
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  const [shown, setShown] = useState<Shown>({});
  const view: ViewState = {
    expanded,
    shown,
    toggle: (groupId) =>
      setExpanded((current) => {
        const next = new Set(current);
        if (!next.delete(groupId)) next.add(groupId);
        return next;
      }),
    showMore: (id, count) => setShown((current) => ({ ...current, [id]: count })),
  };
  return (
    <div className="flow">
      <Sequence sequence={main} view={view} selectedId={selectedId} onSelect={onSelect} />
      {detached.length > 0 ? (
        <div className="detached">
          <h3 className="muted small">Also in this workflow, not connected by any known edge</h3>
          <div className="detached-list">
            {detached.map((sequence) => (
              <Sequence key={sequence.id} sequence={sequence} view={view} selectedId={selectedId} onSelect={onSelect} />
            ))}
          </div>
        </div>
      ) : null}
    </div>
  );
}

function Sequence({ sequence, view, ...props }: GraphProps & { sequence: FlowSequence<GraphTask>; view: ViewState }) {
  const limit = view.shown[sequence.id] ?? PAGE_SIZE;
  const items = visibleItems(sequence, limit);
  const hidden = sequence.items.length - items.length;
  return (
    <div className="sequence">
      {items.map((item, index) => (
        <div className="step" key={item.id}>
          {index > 0 ? <Connector kind={item.via} /> : null}
          <div className="step-row">
            <Item item={item} view={view} {...props} />
            {item.branches.length > 0 ? (
              <div className="branches">
                {item.branches.map((branch) => (
                  <div className={`branch branch-${branch.kind}`} key={branch.sequence.id}>
                    <div className="branch-label">{EDGE_LABEL[branch.kind] ?? branch.kind}</div>
                    <Sequence sequence={branch.sequence} view={view} {...props} />
                  </div>
                ))}
              </div>
            ) : null}
          </div>
        </div>
      ))}
      {hidden > 0 ? (
        <button type="button" className="more" onClick={() => view.showMore(sequence.id, items.length + PAGE_SIZE)}>
          … {hidden.toLocaleString()} more step{hidden === 1 ? "" : "s"}: show {Math.min(hidden, PAGE_SIZE)} more
        </button>
      ) : null}
    </div>
  );
}

function Connector({ kind }: { kind: string | null }) {
  return (
    <div className={`connector connector-${kind ?? "none"}`}>
      <span>{kind ? (EDGE_LABEL[kind] ?? kind) : ""}</span>
    </div>
  );
}

function Item({ item, view, ...props }: GraphProps & { item: FlowItem<GraphTask>; view: ViewState }) {
  if (item.type === "task") return <TaskNode task={item.task} {...props} />;
  return <GroupBox group={item} view={view} {...props} />;
}

function TaskNode({ task, selectedId, onSelect }: GraphProps & { task: GraphTask }) {
  const planned = task.state === "PLANNED";
  return (
    <button
      type="button"
      className={`node node-${task.state} ${planned ? "planned" : ""} ${selectedId === task.id ? "selected" : ""}`}
      title={`${task.name ?? "unknown task"}\n${task.id}\n${task.state}${planned ? " (planned: not sent yet)" : ""}`}
      onClick={() => onSelect(task.id)}
    >
      <span className="node-name">{shortName(task.name)}</span>
      <span className="node-meta">
        <span className={`dot state-${task.state}`} />
        {task.state.toLowerCase()}
        {task.runtime !== undefined ? ` · ${formatDuration(task.runtime)}` : ""}
        {task.retries ? ` · ${task.retries} retr${task.retries === 1 ? "y" : "ies"}` : ""}
        {task.possiblyLost ? " · lost?" : ""}
      </span>
      <span className="node-id">{shortId(task.id)}</span>
    </button>
  );
}

function GroupBox({ group, view, ...props }: GraphProps & { group: FlowGroupItem<GraphTask>; view: ViewState }) {
  const expanded = view.expanded.has(group.id);
  const limit = view.shown[group.id] ?? PAGE_SIZE;
  const lanes = visibleLanes(group, expanded, limit);
  const hidden = group.collapsed && !expanded ? 0 : group.lanes.length - lanes.length;
  return (
    <div className={`group ${group.chord ? "chord" : ""} ${group.counts.failed > 0 ? "has-failed" : ""}`}>
      <div className="group-head">
        <span className="group-kind">{group.chord ? "chord header" : "group"}</span>
        <Counts counts={group.counts} size={group.size} />
        <span className="node-id" title={group.id}>
          {shortId(group.id)}
        </span>
        {group.collapsed ? (
          <button type="button" className="link-button" onClick={() => view.toggle(group.id)}>
            {expanded ? "collapse" : `expand ${group.lanes.length.toLocaleString()} members`}
          </button>
        ) : null}
      </div>
      {group.collapsed && !expanded ? (
        <StateBar counts={group.counts} />
      ) : (
        <div className="lanes">
          {lanes.length === 0 ? <span className="muted small">no member known yet</span> : null}
          {lanes.map((lane) => (
            <Sequence key={lane.id} sequence={lane} view={view} {...props} />
          ))}
          {hidden > 0 ? (
            <button type="button" className="more" onClick={() => view.showMore(group.id, lanes.length + PAGE_SIZE)}>
              … {hidden.toLocaleString()} more: show {Math.min(hidden, PAGE_SIZE)}
            </button>
          ) : null}
        </div>
      )}
    </div>
  );
}

function Counts({ counts, size }: { counts: StateCounts; size: number }) {
  return (
    <span className="counts">
      <strong>
        {counts.done.toLocaleString()} of {size.toLocaleString()} done
      </strong>
      {counts.failed > 0 ? <span className="error"> / {counts.failed.toLocaleString()} failed</span> : null}
      {counts.running > 0 ? <span> / {counts.running.toLocaleString()} running</span> : null}
      {counts.waiting > 0 ? <span className="muted"> / {counts.waiting.toLocaleString()} waiting</span> : null}
      {counts.planned > 0 ? <span className="muted"> / {counts.planned.toLocaleString()} planned</span> : null}
      {counts.revoked > 0 ? <span className="muted"> / {counts.revoked.toLocaleString()} revoked</span> : null}
    </span>
  );
}

// Segments of the summary bar, in the order the eye reads a group's progress.
const BAR: { key: keyof StateCounts; state: string }[] = [
  { key: "done", state: "SUCCESS" },
  { key: "failed", state: "FAILURE" },
  { key: "running", state: "STARTED" },
  { key: "waiting", state: "PENDING" },
  { key: "revoked", state: "REVOKED" },
  { key: "planned", state: "PLANNED" },
];

function StateBar({ counts }: { counts: StateCounts }) {
  const total = Math.max(counts.total, 1);
  return (
    <div className="state-bar" title={BAR.map(({ key }) => `${counts[key]} ${key}`).join(", ")}>
      {BAR.map(({ key, state }) => (counts[key] > 0 ? <span key={key} className={`state-${state}`} style={{ width: `${(counts[key] / total) * 100}%` }} /> : null))}
    </div>
  );
}
