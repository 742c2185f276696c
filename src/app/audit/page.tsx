// The audit log (/audit?actor=…&action=…&id=…): see audit-view.tsx.

import { Suspense } from "react";
import { AuditView } from "./audit-view";

export default function AuditPage() {
  return (
    <Suspense>
      <AuditView />
    </Suspense>
  );
}
