// Rule selectors: shell-style globs (`*` any run of characters, `?` one character), several
// alternatives separated by `|`. Translated into one regular expression whose syntax JavaScript
// and Prometheus' RE2 read alike, so the evaluator and the exported Prometheus rules match the
// same names.

import { z } from "zod";

/** A selector: `payments.*`, `celery|default`, `*`. */
export const globPattern = z
  .string()
  .trim()
  .min(1)
  .max(255)
  // eslint-disable-next-line no-control-regex
  .refine((glob) => !/[\u0000-\u001f\u007f]/.test(glob), "must not contain control characters")
  .refine((glob) => glob.split("|").every((part) => part.trim() !== ""), "has an empty alternative (`|` at an end or `||`)");

/** The regular expression source (unanchored) for a glob; valid in JavaScript and in RE2. */
export function globSource(glob: string): string {
  return glob
    .split("|")
    .map((part) =>
      [...part.trim()]
        .map((char) => (char === "*" ? ".*" : char === "?" ? "." : /[\\^$.+()[\]{}|]/.test(char) ? `\\${char}` : char))
        .join(""),
    )
    .join("|");
}

/** A test for names matching the glob entirely. */
export function globMatcher(glob: string): (name: string) => boolean {
  const expression = new RegExp(`^(?:${globSource(glob)})$`);
  return (name) => expression.test(name);
}
