// A stored JSON text (args, kwargs, result, a captured message) shown indented when it parses,
// as stored otherwise (reprs from Python producers are not JSON).

export function JsonBlock({ text, empty = "—" }: { text: string | undefined; empty?: string }) {
  if (text === undefined || text === "") return <span className="muted">{empty}</span>;
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON (a repr): show it as it is.
  }
  return <pre>{shown}</pre>;
}
