// pyJsonParse: what Python's json and kombu's encoders put on the wire, read back.

import { describe, expect, it } from "vitest";
import { DecodeError, pyJsonParse } from "../../../src/celery/index";

describe("pyJsonParse", () => {
  it("reads Python's NaN and Infinity as null, but leaves those words alone inside strings", () => {
    expect(pyJsonParse('{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN and Infinity"}')).toEqual({ a: null, b: [null, null], c: "NaN and Infinity" });
  });

  it("revives kombu 5.3 typed wrappers wherever they are nested", () => {
    const text = '{"result": [{"__type__": "uuid", "__value__": {"hex": "0c47dfabec81437d8cda46fafc6b0bff"}}], "meta": {"at": {"__type__": "datetime", "__value__": "2026-11-24T07:14:08.518+00:00"}}}';
    const parsed = pyJsonParse(text) as { result: unknown[]; meta: { at: Date } };
    expect(parsed.result).toEqual(["0c47dfab-ec81-437d-8cda-46fafc6b0bff"]);
    expect(parsed.meta.at).toEqual(new Date("2026-11-24T07:14:08.518Z"));
  });

  it("keeps an object with more keys than a wrapper, and a document that only mentions __type__ in text", () => {
    expect(pyJsonParse('{"__type__": "datetime", "__value__": "x", "extra": 1}')).toEqual({ __type__: "datetime", __value__: "x", extra: 1 });
    expect(pyJsonParse('{"doc": "a \\"__type__\\" key", "n": 1}')).toEqual({ doc: 'a "__type__" key', n: 1 });
  });

  it("says what was not JSON and shows its first bytes", () => {
    expect(() => pyJsonParse("{'a': 1}", "the event body")).toThrow(DecodeError);
    expect(() => pyJsonParse("{'a': 1}", "the event body")).toThrow(/the event body is not valid JSON .*first bytes: "\{'a': 1\}"/);
  });
});
