// The workflow page's layout: chains as sequences, groups and chords as containers with counts,
// callbacks as branches, every task placed once, large groups collapsed, 10,000 nodes fast.

import { describe, expect, it } from "vitest";
import { COLLAPSE_GROUP_OVER, type FlowItem, type FlowSequence, type FlowTaskInput, type WorkflowInput, layoutWorkflow, visibleItems, visibleLanes } from "../../src/app/_lib/workflow-layout";

type Node = FlowTaskInput;

/** The seed talk's login workflow as history.workflow returned it from the demo cluster. */
function loginWorkflow(): WorkflowInput<Node> {
  return {
    rootId: "check",
    nodes: [
      { id: "process", name: "seedflow.post_process", state: "PLANNED", parentId: "post" },
      { id: "save", name: "seedflow.save_event", state: "SUCCESS", parentId: "check", groupId: "g", groupIndex: 1, sentAt: 10.2 },
      { id: "post", name: "seedflow.post_to_api", state: "FAILURE", parentId: "notify", sentAt: 10.4 },
      { id: "notify", name: "seedflow.notify_user", state: "SUCCESS", parentId: "check", groupId: "g", groupIndex: 0, sentAt: 10.2 },
      { id: "check", name: "seedflow.check_device", state: "SUCCESS", sentAt: 10 },
    ],
    groups: [{ id: "g", parentId: "check", size: 2, chordBodyId: "post" }],
    edges: [
      { fromId: "post", toId: "process", kind: "chain" },
      { fromId: "g", toId: "post", kind: "chord" },
      { fromId: "check", toId: "g", kind: "chain" },
      { fromId: "notify", toId: "post", kind: "parent" },
      { fromId: "check", toId: "save", kind: "parent" },
      { fromId: "check", toId: "notify", kind: "parent" },
    ],
  };
}

/** Ids in drawing order, groups as `[lane|lane]`, branches as `{kind: …}`. */
function shape(sequence: FlowSequence<Node>): string {
  return sequence.items.map(describeItem).join(" → ");
}

function describeItem(item: FlowItem<Node>): string {
  const branches = item.branches.map((branch) => ` {${branch.kind}: ${shape(branch.sequence)}}`).join("");
  if (item.type === "task") return item.id + branches;
  return `[${item.lanes.map(shape).join(" | ")}]${branches}`;
}

function allIds(sequences: FlowSequence<Node>[]): string[] {
  const ids: string[] = [];
  const visit = (sequence: FlowSequence<Node>) => {
    for (const item of sequence.items) {
      if (item.type === "task") ids.push(item.id);
      else item.lanes.forEach(visit);
      item.branches.forEach((branch) => visit(branch.sequence));
    }
  };
  sequences.forEach(visit);
  return ids;
}

describe("layoutWorkflow", () => {
  it("draws the login workflow as check → chord header [notify | save] → post → planned post_process", () => {
    const flow = layoutWorkflow(loginWorkflow());
    expect(shape(flow.main)).toBe("check → [notify | save] → post → process");
    expect(flow.detached).toEqual([]);
    const header = flow.main.items[1];
    expect(header).toMatchObject({ type: "group", id: "g", chord: true, size: 2, collapsed: false, via: "chain", counts: { total: 2, done: 2, failed: 0 } });
    expect(flow.main.items[2]).toMatchObject({ id: "post", via: "chord" });
    expect(flow.main.items[3]).toMatchObject({ id: "process", via: "chain", task: { state: "PLANNED" } });
    expect(flow.counts).toMatchObject({ total: 5, done: 3, failed: 1, planned: 1 });
  });

  it("places every task exactly once whatever order the nodes and edges arrive in", () => {
    const workflow = loginWorkflow();
    const reversed = { ...workflow, nodes: [...workflow.nodes].reverse(), edges: [...workflow.edges].reverse() };
    const flow = layoutWorkflow(reversed);
    expect(shape(flow.main)).toBe("check → [notify | save] → post → process");
    expect(allIds([flow.main, ...flow.detached]).sort()).toEqual(["check", "notify", "post", "process", "save"]);
  });

  it("counts a group's failures and its declared size beyond the members seen so far", () => {
    const flow = layoutWorkflow({
      rootId: "a",
      nodes: [
        { id: "a", state: "SUCCESS", sentAt: 1 },
        { id: "m0", state: "FAILURE", groupId: "g", groupIndex: 0, parentId: "a", sentAt: 2 },
        { id: "m1", state: "SUCCESS", groupId: "g", groupIndex: 1, parentId: "a", sentAt: 2 },
      ],
      groups: [{ id: "g", parentId: "a", size: 5 }],
      edges: [{ fromId: "a", toId: "g", kind: "chain" }],
    });
    expect(flow.main.items[1]).toMatchObject({ type: "group", chord: false, size: 5, counts: { total: 5, done: 1, failed: 1 } });
  });

  it("draws a group of chains with each chain inside its member's lane", () => {
    // group(chain(a1, a2), chain(b1, b2)) after p: Celery gives only the last step of each chain the group id.
    const flow = layoutWorkflow({
      rootId: "p",
      nodes: [
        { id: "p", state: "SUCCESS", sentAt: 1 },
        { id: "a1", state: "SUCCESS", parentId: "p", sentAt: 2 },
        { id: "a2", state: "STARTED", parentId: "a1", groupId: "g", groupIndex: 0, sentAt: 3 },
        { id: "b1", state: "SUCCESS", parentId: "p", sentAt: 2 },
        { id: "b2", state: "PLANNED", parentId: "b1", groupId: "g", groupIndex: 1 },
      ],
      groups: [{ id: "g", parentId: "p", size: 2 }],
      edges: [
        { fromId: "p", toId: "a1", kind: "chain" },
        { fromId: "a1", toId: "a2", kind: "chain" },
        { fromId: "p", toId: "b1", kind: "chain" },
        { fromId: "b1", toId: "b2", kind: "chain" },
      ],
    });
    expect(shape(flow.main)).toBe("p → [a1 → a2 | b1 → b2]");
    expect(flow.main.items[1]).toMatchObject({ counts: { running: 1, planned: 1 } });
  });

  it("hangs link and link_error callbacks off their task, a member's inside its lane", () => {
    const flow = layoutWorkflow({
      rootId: "t",
      nodes: [
        { id: "t", state: "FAILURE", sentAt: 1 },
        { id: "next", state: "PLANNED", parentId: "t" },
        { id: "onerr", state: "SUCCESS", parentId: "t", sentAt: 3 },
        { id: "m", state: "SUCCESS", groupId: "g", groupIndex: 0, parentId: "next" },
        { id: "cb", state: "SUCCESS", parentId: "m", sentAt: 5 },
      ],
      groups: [{ id: "g", parentId: "next" }],
      edges: [
        { fromId: "t", toId: "next", kind: "chain" },
        { fromId: "t", toId: "onerr", kind: "link_error" },
        { fromId: "next", toId: "g", kind: "chain" },
        { fromId: "m", toId: "cb", kind: "link" },
      ],
    });
    expect(shape(flow.main)).toBe("t {link_error: onerr} → next → [m {link: cb}]");
  });

  it("shows steps that only share the root id as detached flows, and a missing root's earliest step first", () => {
    const flow = layoutWorkflow({
      rootId: "gone",
      nodes: [
        { id: "late", state: "SUCCESS", sentAt: 9 },
        { id: "early", state: "SUCCESS", sentAt: 1 },
        { id: "child", state: "SUCCESS", parentId: "early", sentAt: 2 },
      ],
      groups: [],
      edges: [],
    });
    expect(shape(flow.main)).toBe("early → child");
    expect(flow.detached.map(shape)).toEqual(["late"]);
  });

  it("fans out a task's several children as branches", () => {
    const flow = layoutWorkflow({
      rootId: "r",
      nodes: [
        { id: "r", state: "SUCCESS", sentAt: 1 },
        { id: "c1", state: "SUCCESS", parentId: "r", sentAt: 2 },
        { id: "c2", state: "SUCCESS", parentId: "r", sentAt: 3 },
      ],
      groups: [],
      edges: [],
    });
    expect(shape(flow.main)).toBe("r {parent: c1} {parent: c2}");
  });

  it("survives cyclic edges without losing or repeating a node", () => {
    const flow = layoutWorkflow({
      rootId: "r",
      nodes: [
        { id: "r", state: "SUCCESS", sentAt: 1 },
        { id: "x", state: "SUCCESS", sentAt: 2 },
        { id: "y", state: "SUCCESS", sentAt: 3 },
      ],
      groups: [],
      edges: [
        { fromId: "x", toId: "y", kind: "chain" },
        { fromId: "y", toId: "x", kind: "chain" },
        { fromId: "r", toId: "r", kind: "chain" },
      ],
    });
    expect(allIds([flow.main, ...flow.detached]).sort()).toEqual(["r", "x", "y"]);
  });

  it("collapses a 10,000-member chord header and draws nothing of it until expanded, then one page", () => {
    const nodes: Node[] = [{ id: "root", state: "SUCCESS", sentAt: 0 }];
    for (let i = 0; i < 10_000; i++) nodes.push({ id: `m${i}`, state: i % 10 === 0 ? "FAILURE" : "SUCCESS", groupId: "big", groupIndex: i, parentId: "root", sentAt: 1 });
    nodes.push({ id: "body", state: "PENDING", parentId: "m9999", sentAt: 2 });
    const edges = [{ fromId: "root", toId: "big", kind: "chain" }, { fromId: "big", toId: "body", kind: "chord" }, ...nodes.slice(1, -1).map((node) => ({ fromId: "root", toId: node.id, kind: "parent" }))];
    const started = performance.now();
    const flow = layoutWorkflow({ rootId: "root", nodes, groups: [{ id: "big", parentId: "root", size: 10_000, chordBodyId: "body" }], edges });
    const elapsed = performance.now() - started;
    const group = flow.main.items[1];
    if (group?.type !== "group") throw new Error("expected the chord header second");
    expect(group.collapsed).toBe(true);
    expect(group.lanes.length).toBeGreaterThan(COLLAPSE_GROUP_OVER);
    expect(group.counts).toMatchObject({ total: 10_000, done: 9_000, failed: 1_000 });
    expect(flow.main.items[2]).toMatchObject({ id: "body", via: "chord" });
    expect(visibleLanes(group, false, 0)).toHaveLength(0);
    expect(visibleLanes(group, true, 0)).toHaveLength(100);
    expect(visibleLanes(group, true, 300)).toHaveLength(300);
    expect(elapsed).toBeLessThan(1000);
  });

  it("lays out a 10,000-step chain iteratively and draws it a page at a time", () => {
    const nodes: Node[] = Array.from({ length: 10_000 }, (_, i) => ({ id: `s${i}`, state: "SUCCESS", sentAt: i, ...(i > 0 ? { parentId: `s${i - 1}` } : {}) }));
    const edges = nodes.slice(1).map((node, i) => ({ fromId: `s${i}`, toId: node.id, kind: "chain" }));
    const flow = layoutWorkflow({ rootId: "s0", nodes, groups: [], edges });
    expect(flow.main.items).toHaveLength(10_000);
    expect(flow.main.items[9_999]).toMatchObject({ id: "s9999", via: "chain" });
    expect(visibleItems(flow.main, 0)).toHaveLength(100);
  });

  it("treats an edge to an unknown id as naming a group (a chord header known only from its chord edge)", () => {
    const flow = layoutWorkflow({
      rootId: "m3",
      nodes: [
        { id: "m3", state: "SUCCESS", groupId: "hdr", groupIndex: 3, sentAt: 1 },
        { id: "sum", state: "SUCCESS", parentId: "m3", sentAt: 2 },
      ],
      groups: [],
      edges: [
        { fromId: "hdr", toId: "sum", kind: "chord" },
        { fromId: "m3", toId: "sum", kind: "parent" },
      ],
    });
    expect(shape(flow.main)).toBe("[m3] → sum");
    expect(flow.main.items[0]).toMatchObject({ type: "group", chord: true });
  });

  it("reads relaunch edges as links to other workflows, and ignores other edges to unknown ids", () => {
    const flow = layoutWorkflow({
      rootId: "new",
      nodes: [
        { id: "new", state: "SUCCESS", sentAt: 1 },
        { id: "next", state: "PLANNED", parentId: "new" },
      ],
      groups: [],
      edges: [
        { fromId: "old", toId: "new", kind: "relaunch" },
        { fromId: "new", toId: "newer", kind: "relaunch" },
        { fromId: "new", toId: "next", kind: "chain" },
        { fromId: "new", toId: "elsewhere", kind: "link" },
        { fromId: "stranger", toId: "next", kind: "parent" },
      ],
    });
    expect(shape(flow.main)).toBe("new → next");
    expect([flow.relaunchOf, flow.relaunchedAs, flow.groupCount]).toEqual([["old"], ["newer"], 0]);
  });
});
