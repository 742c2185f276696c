// Whether a worker's nodename matches a glob or pcre pattern; mirrors kombu/matcher.py (fnmatch / re.match).

/** The matchers kombu registers by default. */
export type NodeMatcher = "glob" | "pcre";

// fnmatch.translate: `*`, `?`, `[seq]` and `[!seq]`; everything else literal.
function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else if (char === "[") {
      const end = glob.indexOf("]", index + 2);
      if (end === -1) source += "\\[";
      else {
        let set = glob.slice(index + 1, end).replaceAll("\\", "\\\\");
        if (set.startsWith("!")) set = `^${set.slice(1)}`;
        else if (set.startsWith("^")) set = `\\${set}`;
        source += `[${set}]`;
        index = end;
      }
    } else source += char.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s");
}

/**
 * kombu's `match(nodename, pattern, matcher)`: `glob` (the default) is fnmatch, a whole-name
 * match; `pcre` is Python's `re.match`, anchored at the start only. An invalid regular
 * expression or an unknown matcher matches nothing, so a bad pattern addresses no worker
 * rather than every worker.
 */
export function matchNode(nodename: string, pattern: string, matcher: string | null = "glob"): boolean {
  if (matcher === "pcre") {
    try {
      return new RegExp(`^(?:${pattern})`).test(nodename);
    } catch {
      return false;
    }
  }
  // kombu raises MatcherNotInstalled for any other name: the command reaches nobody.
  return (matcher === null || matcher === "glob") && globToRegExp(pattern).test(nodename);
}
