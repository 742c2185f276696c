import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Chain, Chord, Chunks, Group, MalformedMessage, Signature, signatureFromDict, XMap } from "../../../src/celery/index";
import { RecordingApp, signatureDicts } from "./fake-app";

// 03_group carries no signature in its messages.
const SCENARIOS = ["02_chain", "04_chord", "05_login_workflow", "06_link_error", "08_map_starmap_chunks"];

function capturedSignatures(scenario: string, transport: string) {
  const vector = JSON.parse(readFileSync(`/work/shared/celery-reference/vectors/${scenario}.${transport}.json`, "utf8")) as { task_messages: { body_decoded: unknown }[] };
  return vector.task_messages.flatMap((m) => signatureDicts(m.body_decoded));
}

describe("signatureFromDict", () => {
  for (const transport of ["redis", "rabbitmq"]) {
    for (const scenario of SCENARIOS) {
      it(`gives back every signature captured in ${scenario}.${transport} byte for byte, key order included`, () => {
        const dicts = capturedSignatures(scenario, transport);
        expect(dicts.length).toBeGreaterThan(0);
        for (const dict of dicts) expect(JSON.stringify(signatureFromDict(dict).toDict())).toBe(JSON.stringify(dict));
      });
    }
  }

  it("rebuilds the right class from subtask_type and from the built-in map/starmap/chunks task names", () => {
    const login = capturedSignatures("05_login_workflow", "redis");
    const chordSig = signatureFromDict(login.find((d) => d.subtask_type === "chord")!);
    expect(chordSig).toBeInstanceOf(Chord);
    expect((chordSig as Chord).header).toBeInstanceOf(Group);
    expect((chordSig as Chord).body).toBeInstanceOf(Chain);
    const add = new Signature({ task: "seedflow.add" }).toDict();
    expect(signatureFromDict({ task: "celery.map", args: [], kwargs: { task: add, it: [1] }, options: {}, subtask_type: null, immutable: true })).toBeInstanceOf(XMap);
    expect(signatureFromDict({ task: "celery.chunks", args: [], kwargs: { task: add, it: [[1, 1]], n: 2 }, options: {}, subtask_type: null, immutable: true })).toBeInstanceOf(Chunks);
    expect(signatureFromDict(add)).not.toBeInstanceOf(XMap);
  });

  it("binds the app it is given, to the rebuilt signature and its members", () => {
    const app = new RecordingApp();
    const chain = signatureFromDict({ task: "celery.chain", args: [], kwargs: { tasks: [new Signature({ task: "a" }).toDict()] }, options: {}, subtask_type: "chain", immutable: false }, app);
    expect((chain as Chain).tasks[0]!.app).toBe(app);
  });

  it("throws MalformedMessage, naming the bad part, for shapes that are not signatures", () => {
    const bad: [unknown, RegExp][] = [
      [null, /got null/],
      [[1, 2], /an array/],
      [{ args: [] }, /`task` must be a string/],
      [{ task: "t", args: {} }, /`args` must be an array/],
      [{ task: "t", kwargs: [] }, /`kwargs` must be an object/],
      [{ task: "t", options: "x" }, /`options` must be an object/],
      [{ task: "t", immutable: "yes" }, /`immutable`/],
      [{ task: "t", subtask_type: "weird" }, /unknown subtask_type "weird"/],
      [{ task: "celery.group", kwargs: { tasks: "x" }, subtask_type: "group" }, /kwargs.tasks/],
      [{ task: "celery.chain", kwargs: { tasks: [{ task: 1 }] }, subtask_type: "chain" }, /signature\.kwargs\.tasks\[0\]/],
      [{ task: "celery.chord", kwargs: { header: [5], body: null }, subtask_type: "chord" }, /kwargs\.header\[0\]/],
    ];
    for (const [value, message] of bad) {
      expect(() => signatureFromDict(value as Record<string, unknown>)).toThrow(MalformedMessage);
      expect(() => signatureFromDict(value as Record<string, unknown>)).toThrow(message);
    }
  });
});
