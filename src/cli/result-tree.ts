// A workflow's shape read back from the result backend alone, for `celeriac result --tree`:
// up from a task through the documents' parent_id to the root, then down through their stored
// `children` (task and group tuples, as celery.result.result_from_tuple reads them).
//
// Celery records a chord body in no document's `children`: the body is sent by the last header
// task from inside the backend after that task's own document was written, so the only link is
// the body's parent_id naming that header member. A node met on the way up that its parent's
// children do not list is therefore placed after the group its parent belongs to (a chord body),
// or under its parent when the parent is in no group. Going down from a root cannot find chord
// bodies at all: asked about a root, the tree ends at the chord's group.

import { BackendError, type ResultBackend, type ResultMeta, type ResultTuple } from "../celery/index";

export interface TaskNode {
  kind: "task";
  id: string;
  /** The task name (stored with result_extended only). */
  name: string | null;
  state: string;
  /** The id the command was asked about. */
  requested: boolean;
  /** Sent when a group before it completed (found through its parent_id only). */
  chordBody: boolean;
  /** The document could not be decoded. */
  error?: string;
  children: TreeNode[];
}

export interface GroupNode {
  kind: "group";
  id: string;
  /** The members, then any chord body that followed the group. */
  children: TreeNode[];
}

export type TreeNode = TaskNode | GroupNode;

export interface ResultTree {
  root: TreeNode;
  /** The node limit was reached: parts of the workflow are not shown. */
  truncated: boolean;
  nodes: number;
}

/** The entry node of a result tuple: a chain's result names its last task, whose parents lead to the first. */
function entryOf(tuple: ResultTuple): ResultTuple {
  let entry = tuple;
  while (entry[0][1]) entry = entry[0][1];
  return entry;
}

class TreeBuilder {
  readonly metas = new Map<string, ResultMeta | BackendError>();
  /** Nodes met on the way up, by the parent their document names. */
  readonly climbedByParent = new Map<string, string[]>();
  readonly placed = new Set<string>();
  readonly groups = new Map<string, GroupNode>();
  truncated = false;

  constructor(
    readonly backend: ResultBackend,
    readonly requestedId: string,
    readonly maxNodes: number,
  ) {}

  meta(id: string): ResultMeta | BackendError | undefined {
    return this.metas.get(id);
  }

  async climb(): Promise<string> {
    let id = this.requestedId;
    for (let steps = 0; steps < this.maxNodes; steps++) {
      const meta = await this.backend.getTaskMeta(id);
      this.metas.set(id, meta);
      const parent = meta.parent_id;
      if (!parent || this.metas.has(parent)) return id;
      this.climbedByParent.set(parent, [...(this.climbedByParent.get(parent) ?? []), id]);
      id = parent;
    }
    this.truncated = true;
    return id;
  }

  taskNode(id: string, chordBody = false): TaskNode {
    this.placed.add(id);
    return { kind: "task", id, name: null, state: "PENDING", requested: id === this.requestedId, chordBody, children: [] };
  }

  /** A node for a result tuple: a task, or a group container holding its members. */
  nodeFor(tuple: ResultTuple, frontier: TaskNode[]): TreeNode | null {
    const [[id], members] = entryOf(tuple);
    if (this.placed.has(id) || this.placed.size >= this.maxNodes) {
      if (!this.placed.has(id)) this.truncated = true;
      return null;
    }
    if (members === null) {
      const node = this.taskNode(id);
      frontier.push(node);
      return node;
    }
    this.placed.add(id);
    const group: GroupNode = { kind: "group", id, children: [] };
    this.groups.set(id, group);
    for (const member of members) {
      const node = this.nodeFor(member, frontier);
      if (node) group.children.push(node);
    }
    return group;
  }

  /** Fills one level of task nodes from their documents and returns the next level. */
  async expand(level: TaskNode[]): Promise<TaskNode[]> {
    const unread = level.map((node) => node.id).filter((id) => !this.metas.has(id));
    if (unread.length > 0) {
      const read = await this.backend.getMany(unread);
      unread.forEach((id, index) => this.metas.set(id, read[index]!));
    }
    const next: TaskNode[] = [];
    for (const node of level) {
      const meta = this.meta(node.id)!;
      if (meta instanceof BackendError) {
        node.state = "UNREADABLE";
        node.error = meta.message;
        continue;
      }
      node.state = meta.status;
      node.name = meta.name ?? null;
      for (const tuple of meta.children ?? []) {
        const child = this.nodeFor(tuple, next);
        if (child) node.children.push(child);
      }
      for (const climbedId of this.climbedByParent.get(node.id) ?? []) {
        if (this.placed.has(climbedId)) continue;
        const groupId = meta.group_id;
        const group = groupId ? this.groups.get(groupId) : undefined;
        const climbedMeta = this.meta(climbedId);
        const sameGroup = climbedMeta && !(climbedMeta instanceof BackendError) && climbedMeta.group_id === groupId;
        const body = this.taskNode(climbedId, group !== undefined && !sameGroup);
        (body.chordBody ? group! : node).children.push(body);
        next.push(body);
      }
    }
    return next;
  }
}

/**
 * Reads the workflow around `id`: its root (by parent_id), then everything below it, at most
 * `maxNodes` nodes. A root that is itself a group member is shown inside its group (the members
 * Celery saved with GroupResult.save, or only the root when none were saved).
 */
export async function readResultTree(backend: ResultBackend, id: string, options: { maxNodes?: number } = {}): Promise<ResultTree> {
  const builder = new TreeBuilder(backend, id, options.maxNodes ?? 1000);
  const rootId = await builder.climb();
  const rootMeta = builder.meta(rootId);
  const rootGroupId = rootMeta && !(rootMeta instanceof BackendError) ? rootMeta.group_id : undefined;
  let frontier: TaskNode[] = [];
  let root: TreeNode;
  const saved = rootGroupId ? await backend.restoreGroup(rootGroupId) : null;
  if (rootGroupId) {
    // Tuples of the saved members, or just the root's own when the group was never saved.
    const members: ResultTuple[] = saved?.[1] ?? [[[rootId, null], null]];
    if (!members.some((member) => entryOf(member)[0][0] === rootId)) members.push([[rootId, null], null]);
    root = builder.nodeFor([[rootGroupId, null], members], frontier)!;
  } else {
    root = builder.taskNode(rootId);
    frontier.push(root);
  }
  while (frontier.length > 0) frontier = await builder.expand(frontier);
  return { root, truncated: builder.truncated, nodes: builder.placed.size };
}
