// The alerts page (/alerts?tab=firing|history|silences|rules): see alerts-view.tsx.

import { Suspense } from "react";
import { AlertsView } from "./alerts-view";

export default function AlertsPage() {
  return (
    <Suspense>
      <AlertsView />
    </Suspense>
  );
}
