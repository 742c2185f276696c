// The regex kombu stores for a topic binding on Redis; mirrors kombu/transport/virtual/exchange.py TopicExchange.key_to_pattern.

// kombu's escape_regex: every character that is not alphanumeric (str.isalnum) nor '.', '#', '*'
// gets a backslash, NUL becomes \000.
const NOT_ALNUM = /[^\p{L}\p{N}.#*]/gu;
const WILDCARDS: Record<string, string> = { "*": ".*?[^\\.]", "#": ".*?" };

/**
 * kombu's topic regex for a binding key: words joined by `\.`, `*` → `.*?[^\.]`, `#` → `.*?`.
 * Stored in the binding member so Python producers route our bindings exactly as theirs. Note the
 * quirk: kombu's `*` can span dots (`a.*` matches `a.b.c`), unlike AMQP.
 */
export function kombuTopicPattern(bindingKey: string): string {
  const escaped = bindingKey.replace(NOT_ALNUM, (ch) => (ch === "\0" ? "\\000" : `\\${ch}`));
  return `^${escaped
    .split(".")
    .map((word) => WILDCARDS[word] ?? word)
    .join("\\.")}$`;
}
