// Each worker's answer to a remote-control broadcast (`{nodename: {ok|error}}`), one line each.

export function WorkerReplies({ replies }: { replies: Record<string, unknown>[] }) {
  if (replies.length === 0) return <p className="muted small">No worker answered within the timeout.</p>;
  return (
    <ul className="plain small">
      {replies.flatMap((reply) =>
        Object.entries(reply).map(([node, answer]) => (
          <li key={node}>
            <span className="mono">{node}</span>: <span className={(answer as { error?: unknown })?.error ? "error" : ""}>{JSON.stringify(answer)}</span>
          </li>
        )),
      )}
    </ul>
  );
}
