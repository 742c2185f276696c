// Draws a ResultTree as indented lines with box-drawing connectors and coloured state labels:
//   seedflow.check_device  1cbc…  SUCCESS
//   └── group 8997…  2 members: 2 SUCCESS
//       ├── seedflow.notify_user  bdc3…  SUCCESS
//       ├── seedflow.save_event  4e6a…  SUCCESS
//       └── chord body → seedflow.post_to_api  8a12…  SUCCESS

import type { GroupNode, ResultTree, TaskNode, TreeNode } from "./result-tree";
import { paint, stateLabel } from "./terminal";

function memberSummary(group: GroupNode): string {
  const counts = new Map<string, number>();
  const members = group.children.filter((child) => !(child.kind === "task" && child.chordBody));
  for (const member of members) {
    const state = member.kind === "task" ? member.state : "group";
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  const parts = [...counts].map(([state, count]) => `${count} ${state === "group" ? "groups" : stateLabel(state)}`);
  return `${members.length} ${members.length === 1 ? "member" : "members"}${parts.length ? `: ${parts.join(", ")}` : ""}`;
}

function label(node: TreeNode): string {
  if (node.kind === "group") return `${paint("group", ["bold", "blue"])} ${node.id}  ${memberSummary(node)}`;
  const task: TaskNode = node;
  const name = task.name ?? paint("task", "dim");
  const text = `${task.chordBody ? paint("chord body → ", "dim") : ""}${paint(name, "bold")}  ${task.id}  ${stateLabel(task.state)}`;
  const notes = [task.requested ? paint("◀ asked", "yellow") : "", task.error ? paint(`(${task.error})`, "red") : ""].filter(Boolean);
  return notes.length ? `${text}  ${notes.join(" ")}` : text;
}

/** The tree as lines, root first; a last line says when the node limit cut it short. */
export function renderResultTree(tree: ResultTree): string {
  const lines: string[] = [label(tree.root)];
  const walk = (node: TreeNode, prefix: string) => {
    node.children.forEach((child, index) => {
      const last = index === node.children.length - 1;
      lines.push(`${prefix}${paint(last ? "└── " : "├── ", "dim")}${label(child)}`);
      walk(child, prefix + (last ? "    " : paint("│   ", "dim")));
    });
  };
  walk(tree.root, "");
  if (tree.truncated) lines.push(paint(`… more nodes not shown (limit ${tree.nodes} reached)`, "yellow"));
  return lines.join("\n");
}
