// The outcome of a revoke: which ids were revoked and what each worker answered.

import Link from "next/link";
import { shortId } from "../app/_lib/format";
import type { RouterOutputs } from "../trpc/react";
import { WorkerReplies } from "./worker-replies";

type RevokeResult = RouterOutputs["actions"]["revoke"]["result"];

export function RevokeReplies({ result }: { result: RevokeResult }) {
  return (
    <>
      <p>
        Revoked {result.revoked.length} task{result.revoked.length === 1 ? "" : "s"}:{" "}
        {result.revoked.slice(0, 20).map((id) => (
          <Link key={id} className="mono small id-list" href={`/tasks/${encodeURIComponent(id)}`}>
            {shortId(id)}
          </Link>
        ))}
        {result.revoked.length > 20 ? ` … and ${result.revoked.length - 20} more` : ""}
      </p>
      <WorkerReplies replies={result.replies} />
    </>
  );
}
