// Turns a workflow as the store holds it (tasks, groups, typed edges) into what the workflow page
// draws: a chain as a vertical sequence of steps, a group or chord header as a container of
// parallel lanes with its counts, callbacks and other fan-outs as branches. Every task is placed
// exactly once, whatever the edges say (partial histories, duplicate or cyclic edges), so the page
// never loses a node and never loops. Pure, and linear in nodes + edges (10,000-node workflows).

/** The fields of a workflow node the layout reads (history.workflow's nodes have them all). */
export interface FlowTaskInput {
  id: string;
  name?: string;
  state: string;
  parentId?: string;
  groupId?: string;
  groupIndex?: number;
  sentAt?: number;
  startedAt?: number;
  finishedAt?: number;
}

export interface FlowGroupInput {
  id: string;
  parentId?: string;
  size?: number;
  chordBodyId?: string;
}

export interface FlowEdgeInput {
  fromId: string;
  toId: string;
  kind: string;
}

export interface WorkflowInput<T extends FlowTaskInput> {
  rootId: string;
  nodes: T[];
  groups: FlowGroupInput[];
  edges: FlowEdgeInput[];
}

/** How a step was reached from the one before it. */
export type EdgeKind = "chain" | "chord" | "link" | "link_error" | "parent";

/** Tasks by what they are doing, for a container's "n of m done / k failed". */
export interface StateCounts {
  total: number;
  /** SUCCESS. */
  done: number;
  /** FAILURE. */
  failed: number;
  /** RECEIVED, STARTED, RETRY. */
  running: number;
  /** PENDING. */
  waiting: number;
  /** PLANNED: known from the plan only, not sent yet. */
  planned: number;
  /** REVOKED, REJECTED. */
  revoked: number;
}

export interface FlowTaskItem<T> {
  type: "task";
  id: string;
  task: T;
  via: EdgeKind | null;
  /** Steps hanging off this one that are not its chain successor (callbacks, errbacks, children). */
  branches: FlowBranch<T>[];
}

export interface FlowGroupItem<T> {
  type: "group";
  id: string;
  via: EdgeKind | null;
  /** A chord header: its body follows the container. */
  chord: boolean;
  /** Members planned or seen (the group's declared size when larger than what is known). */
  size: number;
  /** One lane per member in group order; a lane holds a member's chain when the member is one. */
  lanes: FlowSequence<T>[];
  /** Over the members (each lane's last step). */
  counts: StateCounts;
  /** Too many members to draw: shown as a summary block until expanded. */
  collapsed: boolean;
  branches: FlowBranch<T>[];
}

export type FlowItem<T> = FlowTaskItem<T> | FlowGroupItem<T>;

export interface FlowSequence<T> {
  /** The id of its first step. */
  id: string;
  items: FlowItem<T>[];
}

export interface FlowBranch<T> {
  kind: EdgeKind;
  sequence: FlowSequence<T>;
}

export interface WorkflowFlow<T> {
  /** Starting at the root task (or the earliest step when the root itself is unknown). */
  main: FlowSequence<T>;
  /** Steps no edge connects to the main flow (e.g. known only by their root id), earliest first. */
  detached: FlowSequence<T>[];
  /** Over every task of the workflow. */
  counts: StateCounts;
  taskCount: number;
  groupCount: number;
  /** Roots of the workflows relaunched from this one (`relaunch` edges), and the one it relaunched. */
  relaunchedAs: string[];
  relaunchOf: string[];
}

/** Groups with more members than this start collapsed to a summary block. */
export const COLLAPSE_GROUP_OVER = 50;
/** Lanes drawn at once in an expanded group, and steps at once in a sequence; more on request. */
export const PAGE_SIZE = 100;

// Which incoming edge decides where a step is drawn: its chain predecessor over everything else.
const PRIORITY: Record<EdgeKind, number> = { chain: 0, chord: 1, link: 2, link_error: 3, parent: 4 };

function edgeKind(kind: string): EdgeKind {
  return kind in PRIORITY ? (kind as EdgeKind) : "parent";
}

/** An empty count. */
export function emptyCounts(): StateCounts {
  return { total: 0, done: 0, failed: 0, running: 0, waiting: 0, planned: 0, revoked: 0 };
}

/** Adds one task in `state` to `counts`. */
export function countState(counts: StateCounts, state: string): void {
  counts.total++;
  if (state === "SUCCESS") counts.done++;
  else if (state === "FAILURE") counts.failed++;
  else if (state === "PLANNED") counts.planned++;
  else if (state === "PENDING") counts.waiting++;
  else if (state === "REVOKED" || state === "REJECTED") counts.revoked++;
  else counts.running++;
}

const time = (task: FlowTaskInput): number => task.sentAt ?? task.startedAt ?? task.finishedAt ?? Number.POSITIVE_INFINITY;

interface Candidate {
  from: string;
  kind: EdgeKind;
  order: number;
}

interface Child {
  id: string;
  kind: EdgeKind;
  order: number;
}

/** Lays out `workflow` (see the file comment). */
export function layoutWorkflow<T extends FlowTaskInput>(workflow: WorkflowInput<T>): WorkflowFlow<T> {
  const tasks = new Map<string, T>(workflow.nodes.map((node) => [node.id, node]));
  const groups = new Map<string, FlowGroupInput>();
  for (const group of workflow.groups) if (!tasks.has(group.id)) groups.set(group.id, group);
  // Groups are also known from their members and from edges that name them (a chord's header
  // group may be known only from its chord edge).
  for (const task of workflow.nodes) if (task.groupId && !tasks.has(task.groupId) && !groups.has(task.groupId)) groups.set(task.groupId, { id: task.groupId });
  for (const edge of workflow.edges) {
    if (edge.kind !== "chain" && edge.kind !== "chord") continue;
    for (const id of [edge.fromId, edge.toId]) if (!tasks.has(id) && !groups.has(id)) groups.set(id, { id });
  }

  const members = new Map<string, T[]>();
  for (const task of workflow.nodes) {
    if (!task.groupId || !groups.has(task.groupId)) continue;
    let list = members.get(task.groupId);
    if (!list) members.set(task.groupId, (list = []));
    list.push(task);
  }
  for (const list of members.values()) list.sort((a, b) => (a.groupIndex ?? Infinity) - (b.groupIndex ?? Infinity) || time(a) - time(b) || (a.id < b.id ? -1 : 1));

  // A member that is a chain: Celery places only its last step in the group, so walk the chain
  // edges back from each member to draw the whole chain inside the member's lane.
  const chainInto = new Map<string, string>();
  for (const edge of workflow.edges) if (edge.kind === "chain" && tasks.has(edge.fromId) && tasks.has(edge.toId) && !chainInto.has(edge.toId)) chainInto.set(edge.toId, edge.fromId);
  const container = new Map<string, string>();
  const laneSteps = new Map<string, T[]>();
  for (const [groupId, list] of members) {
    for (const member of list) container.set(member.id, groupId);
  }
  for (const [groupId, list] of members) {
    for (const member of list) {
      const steps = [member];
      for (let previous = chainInto.get(member.id); previous !== undefined; previous = chainInto.get(previous)) {
        const step = tasks.get(previous);
        if (!step || step.id === workflow.rootId || container.has(step.id)) break;
        container.set(step.id, groupId);
        steps.unshift(step);
      }
      laneSteps.set(member.id, steps);
    }
  }

  // Incoming edges of every drawn vertex (top-level task or group), lifted out of containers.
  const lift = (id: string) => container.get(id) ?? id;
  const known = (id: string) => tasks.has(id) || groups.has(id);
  const incoming = new Map<string, Candidate[]>();
  const laneBranches = new Map<string, Candidate[]>();
  let order = 0;
  const addCandidate = (map: Map<string, Candidate[]>, to: string, candidate: Candidate) => {
    let list = map.get(to);
    if (!list) map.set(to, (list = []));
    list.push(candidate);
  };
  const addEdge = (fromId: string, toId: string, kind: EdgeKind) => {
    if (!known(fromId) || !known(toId)) return;
    // A member's callbacks stay with the member, inside its lane.
    if ((kind === "link" || kind === "link_error") && container.has(fromId) && !container.has(toId)) {
      addCandidate(laneBranches, fromId, { from: toId, kind, order: order++ });
      addCandidate(incoming, lift(toId), { from: fromId, kind, order: order++ });
      return;
    }
    const from = lift(fromId);
    const to = lift(toId);
    if (from !== to) addCandidate(incoming, to, { from, kind, order: order++ });
  };
  const relaunchedAs: string[] = [];
  const relaunchOf: string[] = [];
  for (const edge of workflow.edges) {
    // A relaunch links two workflows, not two steps of this one.
    if (edge.kind === "relaunch") {
      if (edge.fromId === workflow.rootId) relaunchedAs.push(edge.toId);
      else if (edge.toId === workflow.rootId) relaunchOf.push(edge.fromId);
      continue;
    }
    addEdge(edge.fromId, edge.toId, edgeKind(edge.kind));
  }
  // What only parent ids say (tasks seen through events alone) ranks last.
  for (const task of workflow.nodes) if (task.parentId && task.parentId !== task.id) addEdge(task.parentId, task.id, "parent");
  for (const group of groups.values()) {
    if (group.parentId) addEdge(group.parentId, group.id, "parent");
    if (group.chordBodyId) addEdge(group.id, group.chordBodyId, "chord");
  }
  const chordHeaders = new Set(workflow.edges.filter((edge) => edge.kind === "chord").map((edge) => edge.fromId));

  const children = new Map<string, Child[]>();
  const hasPredecessor = new Set<string>();
  for (const [to, candidates] of incoming) {
    if (to === workflow.rootId) continue;
    const best = candidates.reduce((a, b) => (PRIORITY[b.kind] < PRIORITY[a.kind] ? b : a));
    hasPredecessor.add(to);
    // A lane-local callback is drawn in the lane that owns it.
    if (container.has(best.from)) continue;
    let list = children.get(best.from);
    if (!list) children.set(best.from, (list = []));
    list.push({ id: to, kind: best.kind, order: best.order });
  }
  const vertexTime = (id: string): number => {
    const task = tasks.get(id);
    if (task) return time(task);
    return (members.get(id) ?? []).reduce((min, member) => Math.min(min, time(member)), Number.POSITIVE_INFINITY);
  };
  for (const list of children.values()) list.sort((a, b) => PRIORITY[a.kind] - PRIORITY[b.kind] || vertexTime(a.id) - vertexTime(b.id) || a.order - b.order);

  const placed = new Set<string>();
  const counts = emptyCounts();

  const taskItem = (task: T, via: EdgeKind | null): FlowTaskItem<T> => {
    placed.add(task.id);
    countState(counts, task.state);
    const item: FlowTaskItem<T> = { type: "task", id: task.id, task, via, branches: [] };
    for (const callback of laneBranches.get(task.id) ?? []) {
      if (!placed.has(callback.from)) item.branches.push({ kind: callback.kind, sequence: sequenceFrom(callback.from, callback.kind) });
    }
    return item;
  };

  const groupItem = (id: string, via: EdgeKind | null): FlowGroupItem<T> => {
    placed.add(id);
    const group = groups.get(id) ?? { id };
    const list = members.get(id) ?? [];
    const groupCounts = emptyCounts();
    const lanes = list.map((member): FlowSequence<T> => {
      countState(groupCounts, member.state);
      const steps = laneSteps.get(member.id) ?? [member];
      return { id: steps[0]?.id ?? member.id, items: steps.map((step, index) => taskItem(step, index === 0 ? null : "chain")) };
    });
    const size = Math.max(group.size ?? 0, list.length);
    groupCounts.total = size;
    const chord = group.chordBodyId !== undefined || chordHeaders.has(id);
    return { type: "group", id, via, chord, size, lanes, counts: groupCounts, collapsed: lanes.length > COLLAPSE_GROUP_OVER, branches: [] };
  };

  // Iterative along a sequence (a 10,000-step chain must not recurse 10,000 deep); recursion
  // only enters branches.
  function sequenceFrom(start: string, via: EdgeKind | null): FlowSequence<T> {
    const items: FlowItem<T>[] = [];
    let current: string | undefined = start;
    let currentVia = via;
    while (current !== undefined && !placed.has(current)) {
      const task = tasks.get(current);
      const item: FlowItem<T> = task ? taskItem(task, currentVia) : groupItem(current, currentVia);
      items.push(item);
      const next: Child[] = (children.get(current) ?? []).filter((child) => !placed.has(child.id));
      const continuation: Child | undefined = next.find((child) => child.kind === "chain" || child.kind === "chord") ?? (next.length === 1 ? next[0] : undefined);
      for (const child of next) {
        if (child !== continuation && !placed.has(child.id)) item.branches.push({ kind: child.kind, sequence: sequenceFrom(child.id, child.kind) });
      }
      current = continuation?.id;
      currentVia = continuation?.kind ?? null;
    }
    return { id: start, items };
  }

  const byTime = (a: string, b: string) => vertexTime(a) - vertexTime(b) || (a < b ? -1 : 1);
  const vertices = [...tasks.keys()].filter((id) => !container.has(id)).concat([...groups.keys()]);
  const starts = vertices.filter((id) => !hasPredecessor.has(id)).sort(byTime);
  const mainStart = known(workflow.rootId) && !container.has(workflow.rootId) ? workflow.rootId : (starts[0] ?? vertices.sort(byTime)[0]);
  const main = mainStart === undefined ? { id: workflow.rootId, items: [] } : sequenceFrom(mainStart, null);
  const detached: FlowSequence<T>[] = [];
  for (const id of starts) if (!placed.has(id)) detached.push(sequenceFrom(id, null));
  // Whatever is left sits on a cycle of edges: start it anywhere rather than lose it.
  for (const id of vertices.sort(byTime)) if (!placed.has(id)) detached.push(sequenceFrom(id, null));

  return { main, detached, counts, taskCount: tasks.size, groupCount: groups.size, relaunchedAs, relaunchOf };
}

/** The lanes an expanded group draws: the first `shown`, at least one page. */
export function visibleLanes<T>(group: FlowGroupItem<T>, expanded: boolean, shown: number): FlowSequence<T>[] {
  if (group.collapsed && !expanded) return [];
  return group.lanes.slice(0, Math.max(shown, PAGE_SIZE));
}

/** The steps a sequence draws: the first `shown`, at least one page. */
export function visibleItems<T>(sequence: FlowSequence<T>, shown: number): FlowItem<T>[] {
  return sequence.items.slice(0, Math.max(shown, PAGE_SIZE));
}
