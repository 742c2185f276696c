import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { exceptionInfo, formatTraceback, pyRepr, pyTuple, saferepr, TaskFailedError } from "../../../src/celery/index";
import { describeWith, PYTHON } from "../../support/services";

describe("saferepr (celery.utils.saferepr)", () => {
  it("writes task args as a tuple, with the one-element comma", () => {
    expect(saferepr(pyTuple([2, 2]))).toBe("(2, 2)");
    expect(saferepr(pyTuple([7]))).toBe("(7,)");
    expect(saferepr(pyTuple([]))).toBe("()");
    expect(saferepr({ a: 1 })).toBe("{'a': 1}");
  });

  it("single-quotes every string and escapes only the quote, as Celery does (not Python's repr)", () => {
    expect(saferepr(pyTuple(["it's", 'say "hi"', "a\nb"]))).toBe(`('it\\'s', 'say "hi"', 'a\nb')`);
  });

  it("writes Python scalars and floats", () => {
    expect(saferepr([true, false, null, 1.5, 1e16, 1e-7, Number.NaN, -Infinity])).toBe("[True, False, None, 1.5, 1e+16, 1e-07, nan, -inf]");
  });

  it("shows containers nested three levels deep as [...]", () => {
    expect(saferepr(pyTuple([{ x: { y: [] } }]))).toBe("({'x': {'y': [...]}},)");
  });

  it("cuts at 1024 characters and drops the closer that the cut falls on", () => {
    const text = saferepr(pyTuple(["a".repeat(2000)]));
    // "(" used one character of the budget, so the string keeps 1023 (Python: 1034 characters in all).
    expect(text).toBe(`('${"a".repeat(1023)}...', ...`);
  });
});

describe("pyRepr (Python's repr)", () => {
  it("chooses quotes and escapes as Python does", () => {
    expect(pyRepr("it's")).toBe(`"it's"`);
    expect(pyRepr(`both ' and "`)).toBe(`'both \\' and "'`);
    expect(pyRepr("tab\t nul\u0000 nbsp\u00a0 ls\u2028 é 😀")).toBe("'tab\\t nul\\x00 nbsp\\xa0 ls\\u2028 é 😀'");
    expect(pyRepr(pyTuple([Buffer.from("a'\x01")]))).toBe(`(b"a'\\x01",)`);
  });
});

describe("exceptionInfo and formatTraceback", () => {
  it("maps JS built-in errors to Python built-ins", () => {
    expect(exceptionInfo(new RangeError("bad"))).toEqual({ exc_type: "ValueError", exc_message: ["bad"], exc_module: "builtins" });
    expect(exceptionInfo(new Error(""))).toEqual({ exc_type: "Exception", exc_message: [], exc_module: "builtins" });
    expect(exceptionInfo("oops")).toEqual({ exc_type: "Exception", exc_message: ["oops"], exc_module: "builtins" });
  });

  it("keeps a custom error's name without inventing a module", () => {
    class PaymentDeclined extends Error {
      override name = "PaymentDeclined";
    }
    expect(exceptionInfo(new PaymentDeclined("card"))).toEqual({ exc_type: "PaymentDeclined", exc_message: ["card"], exc_module: null });
  });

  it("keeps the Python identity an error carries", () => {
    const remote = new TaskFailedError("t1", { exc_type: "KeyError", exc_message: ["k"], exc_module: "builtins" }, null);
    expect(exceptionInfo(remote)).toEqual({ exc_type: "KeyError", exc_message: ["k"], exc_module: "builtins" });
  });

  it("formats a Python-shaped traceback, oldest frame first", () => {
    function inner(): never {
      throw new TypeError("nope");
    }
    let error: unknown;
    try {
      inner();
    } catch (e) {
      error = e;
    }
    const lines = formatTraceback(error).trimEnd().split("\n");
    expect(lines[0]).toBe("Traceback (most recent call last):");
    expect(lines.at(-2)).toMatch(/^ {2}File ".*saferepr\.test\.ts", line \d+, in inner$/);
    expect(lines.at(-1)).toBe("TypeError: nope");
  });
});

const CASES_SCRIPT = fileURLToPath(new URL("../../python/saferepr_cases.py", import.meta.url));

interface ReprCase {
  args: string;
  kwargs: string;
  maxlen: number | null;
  argsrepr: string;
  kwargsrepr: string;
  repr: string;
}

await describeWith(["python-celery"], "saferepr and pyRepr against Python on random values", () => {
  it.each([1, 2, 3])("agree with celery.utils.saferepr and repr() for seed %i", (seed) => {
    const cases = JSON.parse(execFileSync(PYTHON, [CASES_SCRIPT, String(seed)], { encoding: "utf8", maxBuffer: 64 << 20 })) as ReprCase[];
    for (const c of cases) {
      const args = JSON.parse(c.args) as unknown[];
      expect(saferepr(pyTuple(args), c.maxlen)).toBe(c.argsrepr);
      expect(saferepr(JSON.parse(c.kwargs), c.maxlen)).toBe(c.kwargsrepr);
      expect(pyRepr(pyTuple(args))).toBe(c.repr);
    }
  });
});
