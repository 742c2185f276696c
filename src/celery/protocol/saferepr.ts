// Celery's truncating repr used for argsrepr, kwargsrepr and event results; a port of celery/utils/saferepr.py.

import { pyValue } from "./py-repr";

// The port keeps saferepr's streaming shape on purpose: where the text is cut, and which
// closing brackets survive the cut, fall out of that shape (a cut right before a closer loses it:
// `('aaa...', ...` has no `)`), and Python's output is the spec.

class Literal {
  constructor(
    readonly value: string,
    readonly truncatable: boolean,
    readonly direction: -1 | 0 | 1,
  ) {}
}
class Key {
  constructor(readonly value: string) {}
}
class Quoted {
  constructor(readonly value: string | Buffer) {}
}
type Token = Literal | Key | Quoted | string;

const DICT_KVSEP = new Literal(": ", true, 0);
const LIST_SEP = new Literal(", ", true, 0);
const BRACKETS = {
  dict: [new Literal("{", false, 1), new Literal("}", false, -1)],
  list: [new Literal("[", false, 1), new Literal("]", false, -1)],
  tuple: [new Literal("(", false, 1), new Literal(")", false, -1)],
} as const;
const TUPLE_END_SINGLE = new Literal(",)", false, -1);

function* chain(...parts: Iterable<unknown>[]): Generator<unknown> {
  for (const part of parts) yield* part;
}

function* chainList(items: unknown[]): Generator<unknown> {
  for (let i = 0; i < items.length; i++) {
    yield items[i];
    if (i < items.length - 1) yield LIST_SEP;
  }
}

function* chainDict(entries: [string, unknown][]): Generator<unknown> {
  for (let i = 0; i < entries.length; i++) {
    yield new Key(entries[i]![0]);
    yield DICT_KVSEP;
    yield entries[i]![1];
    if (i < entries.length - 1) yield LIST_SEP;
  }
}

// reprstream(): yields each token together with the iterator it came from, so that the caller
// can drain the dangling closers from that iterator once the length budget is spent.
function* reprStream(root: unknown, maxlevels: number): Generator<[Token, Iterator<unknown>]> {
  let level = 0;
  let next: Iterator<unknown> | null = [root][Symbol.iterator]();
  while (next) {
    const it: Iterator<unknown> = next;
    next = null;
    for (let step = it.next(); !step.done; step = it.next()) {
      const val = step.value;
      if (val instanceof Literal) {
        level += val.direction;
        yield [val, it];
        continue;
      }
      if (val instanceof Key) {
        yield [val, it];
        continue;
      }
      const py = pyValue(val);
      if (py.kind === "scalar") {
        yield [py.text, it];
        continue;
      }
      if (py.kind === "str" || py.kind === "bytes") {
        yield [new Quoted(py.value), it];
        continue;
      }
      const [start, plainEnd] = BRACKETS[py.kind];
      const end = py.kind === "tuple" && py.items.length === 1 ? TUPLE_END_SINGLE : plainEnd;
      if (maxlevels && level >= maxlevels) {
        yield [`${start.value}...${end.value}`, it];
        continue;
      }
      const body = py.kind === "dict" ? chainDict(py.entries) : chainList(py.items);
      next = chain([start], body, [end], { [Symbol.iterator]: () => it });
      break;
    }
  }
}

/** Python's len(): code points, not UTF-16 units. */
function pyLen(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

// celery.utils.text.truncate: cut at maxlen, then back to the last space, then "...".
function truncate(text: string, maxlen: number | null): string {
  if (!maxlen || text.length < maxlen || pyLen(text) < maxlen) return text;
  const head = Array.from(text).slice(0, maxlen).join("");
  const space = head.lastIndexOf(" ");
  return (space === -1 ? head : head.slice(0, space)) + "...";
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function bytesText(value: Buffer): string {
  try {
    return strictUtf8.decode(value);
  } catch {
    return value.toString("hex");
  }
}

function formatChars(value: string | Buffer, maxlen: number | null): string {
  if (typeof value === "string") return `'${truncate(value, maxlen).replace(/'/g, "\\'")}'`;
  if (maxlen && value.length > maxlen) return `b'${bytesText(value.subarray(0, maxlen))}...'`;
  return `b'${bytesText(value)}'`;
}

/**
 * `celery.utils.saferepr.saferepr(value, maxlen, maxlevels)`: a repr that stops after about
 * `maxlen` characters (ending in `, ...` plus the closers still pending) and shows containers
 * nested `maxlevels` deep as `[...]`. Unlike Python's repr, strings are always single-quoted
 * with only `'` escaped. Celery uses 1024 for argsrepr, kwargsrepr and task results; pass
 * task args through {@link pyTuple} to get `(2, 3)`.
 */
export function saferepr(value: unknown, maxlen: number | null = 1024, maxlevels = 3): string {
  let budget = maxlen;
  let out = "";
  for (const [token, it] of reprStream(value, maxlevels)) {
    if (budget !== null && budget <= 0) {
      out += ", ...";
      for (let step = it.next(); !step.done; step = it.next()) {
        if (step.value instanceof Literal && !step.value.truncatable) out += step.value.value;
      }
      break;
    }
    let text: string;
    if (token instanceof Literal) text = token.value;
    else if (token instanceof Key) text = formatChars(token.value, budget);
    else if (token instanceof Quoted) text = formatChars(token.value, budget);
    else text = truncate(token, budget);
    out += text;
    if (budget !== null) budget -= pyLen(text);
  }
  return out;
}
