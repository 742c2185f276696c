// JSON given on the command line: arrays and objects accepted, and a parse failure located at
// the character where the text stopped being JSON, whatever V8's own message says.

import { describe, expect, it } from "vitest";
import { jsonArray, jsonObject } from "../../src/cli/parse-json-option";

const failure = (parse: (text: string) => unknown, text: string) => {
  try {
    parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(text)} parsed`);
};

describe("JSON options", () => {
  it("accepts arrays for --args and objects for --kwargs, and says which kind was expected otherwise", () => {
    expect(jsonArray(' [1, "two", {"x": null}] ')).toEqual([1, "two", { x: null }]);
    expect(jsonObject('{"a": [1]}')).toEqual({ a: [1] });
    expect(failure(jsonArray, '{"a": 1}')).toBe("Must be a JSON array of positional arguments, e.g. '[2, 3]'; got an object");
    expect(failure(jsonArray, "5")).toBe("Must be a JSON array of positional arguments, e.g. '[2, 3]'; got 5");
    expect(failure(jsonObject, "[]")).toBe(`Must be a JSON object of keyword arguments, e.g. '{"x": 1}'; got an array`);
  });

  it("locates the failure whether or not V8 states a position", () => {
    // V8 says only "Unexpected token '}'": the position is found by parsing prefixes.
    expect(failure(jsonArray, "[1,}")).toMatch(/^Not valid JSON at character 4 \("\[1," ▸ "}"\): Unexpected token '}'\. /);
    expect(failure(jsonArray, "['x']")).toMatch(/^Not valid JSON at character 2 \("\[" ▸ "'x'\]"\)/);
    // V8 states it ("… in JSON at position 1"): the same wording, without V8's suffix.
    expect(failure(jsonObject, "{a: 1}")).toMatch(/^Not valid JSON at character 2 \("{" ▸ "a: 1}"\): Expected property name or '}'\. /);
    expect(failure(jsonArray, "[1] x")).toMatch(/^Not valid JSON at character 5 .*: Unexpected non-whitespace character\. /);
    expect(failure(jsonArray, "[1, 2")).toMatch(/^Not valid JSON \(it ends too early\): /);
    expect(failure(jsonArray, "  ")).toBe("Empty: give a JSON value (quote it for the shell, e.g. '[2, 3]')");
  });
});
