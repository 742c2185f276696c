// One workflow (/workflows/<rootId>?view=timeline&task=<id>): see workflow-view.tsx.

import { Suspense } from "react";
import { WorkflowView } from "./workflow-view";

export default async function WorkflowPage({ params }: { params: Promise<{ rootId: string }> }) {
  const { rootId } = await params;
  return (
    <Suspense>
      <WorkflowView rootId={decodeURIComponent(rootId)} />
    </Suspense>
  );
}
