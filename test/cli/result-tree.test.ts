// readResultTree and renderResultTree on result documents written the way Celery 5.2 writes
// them (in the in-memory backend): chains inside groups, chord bodies known only by parent_id,
// a root that is a member of a saved group, unreadable documents and the node limit.

import { describe, expect, it } from "vitest";
import { MemoryBackend, type ResultMeta, type ResultTuple } from "../../src/celery/index";
import { renderResultTree } from "../../src/cli/render-result-tree";
import { readResultTree, type TreeNode } from "../../src/cli/result-tree";

// Plain text whatever the runner's terminal: colours are checked end to end in the CLI tests.
process.env.NO_COLOR = "1";

function doc(id: string, fields: Partial<ResultMeta> = {}): ResultMeta {
  return { status: "SUCCESS", result: null, traceback: null, children: [], date_done: "2026-12-01T00:00:00", task_id: id, name: `t.${id}`, ...fields };
}
const task = (id: string, parent: ResultTuple | null = null): ResultTuple => [[id, parent], null];
const group = (id: string, members: ResultTuple[]): ResultTuple => [[id, null], members];

/** `name[state]` nested, groups as `group(…)`, chord bodies marked `=>`. */
function shape(node: TreeNode): string {
  const inner = node.children.map(shape).join(", ");
  const self = node.kind === "group" ? "group" : `${node.chordBody ? "=>" : ""}${node.name ?? "?"}[${node.state}]`;
  return inner ? `${self}(${inner})` : self;
}

async function backendWith(docs: ResultMeta[]): Promise<MemoryBackend> {
  const backend = new MemoryBackend();
  for (const meta of docs) await backend.storeResult(meta);
  return backend;
}

describe("readResultTree", () => {
  it("places a chain that runs inside a group under its first step, and a chord body after the group", async () => {
    // a → group(chain(b1, b2), c) → chord body d → e; b2 and the body are linked by parent_id only where Celery does.
    const backend = await backendWith([
      doc("a", { children: [group("g", [task("b2", task("b1")), task("c")])] }),
      doc("b1", { parent_id: "a", group_id: "g", children: [task("b2")] }),
      doc("b2", { parent_id: "b1", group_id: "g" }),
      doc("c", { parent_id: "a", group_id: "g", status: "FAILURE" }),
      doc("d", { parent_id: "c", children: [task("e")] }),
      doc("e", { parent_id: "d", status: "STARTED" }),
    ]);
    const tree = await readResultTree(backend, "e");
    expect(shape(tree.root)).toBe("t.a[SUCCESS](group(t.b1[SUCCESS](t.b2[SUCCESS]), t.c[FAILURE], =>t.d[SUCCESS](t.e[STARTED])))");
    expect(tree).toMatchObject({ truncated: false, nodes: 7 });

    // Asked about the root, nothing leads to the chord body.
    expect(shape((await readResultTree(backend, "a")).root)).toBe("t.a[SUCCESS](group(t.b1[SUCCESS](t.b2[SUCCESS]), t.c[FAILURE]))");
  });

  it("shows a root that is a group member inside its saved group, and a lone member when the group was never saved", async () => {
    const docs = [doc("m1", { group_id: "g" }), doc("m2", { group_id: "g" }), doc("body", { parent_id: "m2" })];
    const saved = await backendWith(docs);
    await saved.saveGroup("g", group("g", [task("m1"), task("m2")]));
    expect(shape((await readResultTree(saved, "body")).root)).toBe("group(t.m1[SUCCESS], t.m2[SUCCESS], =>t.body[SUCCESS])");
    expect(shape((await readResultTree(await backendWith(docs), "body")).root)).toBe("group(t.m2[SUCCESS], =>t.body[SUCCESS])");
  });

  it("reads an unknown id as one PENDING node, and stops at the node limit saying so", async () => {
    const unknown = await readResultTree(new MemoryBackend(), "nope");
    expect(unknown.root).toMatchObject({ kind: "task", id: "nope", state: "PENDING", name: null, requested: true, children: [] });

    const wide = await backendWith([doc("root", { children: Array.from({ length: 10 }, (_, index) => task(`k${index}`)) })]);
    const limited = await readResultTree(wide, "root", { maxNodes: 4 });
    expect(limited.root.children).toHaveLength(3);
    expect(limited).toMatchObject({ truncated: true, nodes: 4 });
    expect(renderResultTree(limited).split("\n").at(-1)).toBe("… more nodes not shown (limit 4 reached)");
  });

  it("renders the tree with connectors, member counts and the asked-about mark", async () => {
    const backend = await backendWith([
      doc("a", { children: [group("g", [task("b"), task("c")])] }),
      doc("b", { parent_id: "a", group_id: "g" }),
      doc("c", { parent_id: "a", group_id: "g", status: "FAILURE" }),
    ]);
    expect(renderResultTree(await readResultTree(backend, "b"))).toBe(
      ["t.a  a  SUCCESS", "└── group g  2 members: 1 SUCCESS, 1 FAILURE", "    ├── t.b  b  SUCCESS  ◀ asked", "    └── t.c  c  FAILURE"].join("\n"),
    );
  });
});
