import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, it } from "vitest";
import { Chain, chain, chord, chunks, type CanvasResult, group, pipe, Signature, signatureFromDict, type SignatureDict, xmap } from "../../../src/celery/index";
import { describeWith, PYTHON } from "../../support/services";
import { canonical, RecordingApp, type SentTask } from "./fake-app";

const SCRIPT = fileURLToPath(new URL("../../python/canvas_peer.py", import.meta.url));

interface Scenario {
  dict: SignatureDict;
  calls: Omit<SentTask, "id">[];
  log: string[];
  result: ResultTree | null;
}
interface ResultTree {
  id: string;
  parent: ResultTree | null;
  results?: string[];
}
interface PeerOutput {
  scenarios: Record<string, Scenario>;
  from_dict: SignatureDict[];
}

type Built = [Signature, { args?: unknown[]; options?: Record<string, unknown> }];

/** The same canvases as SCENARIOS in test/python/canvas_peer.py. */
function scenarios(app: RecordingApp): Record<string, () => Built> {
  const s = (name: string, ...args: unknown[]) => new Signature({ task: name, args }, app);
  return {
    chain_with_links: () => [chain(s("add", 2, 2), s("add", 4), s("add", 8)), { options: { task_id: "last-id", link: s("done"), link_error: s("on_error") } }],
    chain_partial_args: () => [chain(s("a", 1), s("b", 2)), { args: [0] }],
    group_nested: () => [group(s("a"), group(s("b"), s("c")), s("d")), {}],
    group_with_chain: () => [group(chain(s("a"), s("b")), s("c")), {}],
    chord_nested_header: () => [chord([s("a"), group(s("b"), s("c")), s("d")], s("s")), {}],
    chord_empty: () => [chord([], s("body", 1)), {}],
    login: () => [chain(s("check_device", "u1", "pixel-9"), group(s("notify_user"), s("save_event")), s("post_to_api"), s("post_process")), {}],
    chain_group_last: () => [chain(s("a"), group(s("b"), s("c"))), {}],
    chain_two_groups: () => [chain(s("a"), group(s("b"), s("c")), group(s("d"), s("e")), s("f")), {}],
    chain_group_first: () => [chain(group(s("a"), s("b")), s("c"), s("d")), {}],
    raw_chain_group_middle: () => [new Chain([s("a"), group(s("b"), s("c")), s("d")]), {}],
    chord_then_task: () => [pipe(chord([s("a"), s("b")], s("s")), s("t")), {}],
    map_starmap: () => [xmap(s("tsum"), [[1, 2], [3]]), {}],
    chunks: () => [chunks(s("add"), [0, 1, 2, 3, 4].map((i) => [i, i]), 2), {}],
  };
}

function tree(result: CanvasResult | null): ResultTree | null {
  if (!result) return null;
  const node: ResultTree = { id: result.id, parent: tree(result.parent) };
  if ("results" in result && Array.isArray(result.results)) node.results = result.results.map((r) => r.id);
  return node;
}

/**
 * A dict as Celery's from_dict gives it back: a chord's group header becomes its task list, at
 * every level of kwargs (signatures inside options stay dicts there, so they are left alone).
 */
function asCeleryReadsIt(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asCeleryReadsIt);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = key === "options" ? item : asCeleryReadsIt(item);
  const header = (out.kwargs as { header?: SignatureDict } | undefined)?.header;
  if (out.subtask_type === "chord" && header && !Array.isArray(header)) (out.kwargs as Record<string, unknown>).header = header.kwargs.tasks;
  return out;
}

/** Options in a fixed key order (Python passes them as keyword arguments, whose order is not ours). */
function sortedCalls(calls: Omit<SentTask, "id">[]) {
  return calls.map((c) => ({ ...c, options: Object.fromEntries(Object.entries(c.options).sort(([a], [b]) => a.localeCompare(b))) }));
}

function runPeer(request: unknown): Promise<PeerOutput> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, [SCRIPT], { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`canvas_peer.py failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as PeerOutput);
    });
    child.stdin?.end(JSON.stringify(request));
  });
}

await describeWith(["python-celery"], "the canvas against real Python Celery 5.2.6", () => {
  const names = Object.keys(scenarios(new RecordingApp()));
  const ours = new Map<string, Scenario>();
  let peer: PeerOutput;

  beforeAll(async () => {
    for (const name of names) {
      const app = new RecordingApp();
      const [sig, { args, options }] = scenarios(app)[name]!();
      const dict = JSON.parse(JSON.stringify(sig)) as SignatureDict;
      const result = await sig.applyAsync(args, {}, options);
      ours.set(name, { dict, calls: app.sent.map(({ id: _id, ...call }) => call), log: app.log, result: tree(result) });
    }
    // Python reads back every dict we built and every frozen signature we embedded.
    const dicts = [...ours.values()].flatMap((o) => [o.dict, ...o.calls.flatMap((c) => [...((c.options.chain as SignatureDict[]) ?? []), ...(c.options.chord ? [c.options.chord as SignatureDict] : [])])]);
    peer = await runPeer({ scenarios: names, dicts });
  });

  for (const name of names) {
    it(`${name}: builds the same dict, sends the same messages in the same order, returns the same result tree`, () => {
      const mine = ours.get(name)!;
      const theirs = peer.scenarios[name]!;
      expect(JSON.stringify(mine.dict)).toBe(JSON.stringify(theirs.dict));
      expect(mine.log).toEqual(theirs.log);
      expect(canonical({ calls: sortedCalls(mine.calls), result: mine.result })).toBe(canonical({ calls: sortedCalls(theirs.calls), result: theirs.result }));
    });
  }

  it("Python's Signature.from_dict reads our dicts back unchanged, except chord headers, which Celery itself turns from a group into a list", () => {
    const dicts = [...ours.values()].flatMap((o) => [o.dict, ...o.calls.flatMap((c) => [...((c.options.chain as SignatureDict[]) ?? []), ...(c.options.chord ? [c.options.chord as SignatureDict] : [])])]);
    expect(peer.from_dict).toHaveLength(dicts.length);
    let changedByCelery = 0;
    for (const [index, dict] of dicts.entries()) {
      const back = peer.from_dict[index]!;
      const expected = JSON.stringify(asCeleryReadsIt(dict));
      if (expected !== JSON.stringify(dict)) changedByCelery += 1;
      expect(JSON.stringify(back)).toBe(expected);
      // …and ours reads Python's output back exactly.
      expect(JSON.stringify(signatureFromDict(back).toDict())).toBe(JSON.stringify(back));
    }
    expect(changedByCelery).toBeGreaterThan(0);
  });
});
