// The task list (/tasks?name=…&state=…): see tasks-view.tsx.

import { Suspense } from "react";
import { TasksView } from "./tasks-view";

export default function TasksPage() {
  return (
    <Suspense>
      <TasksView />
    </Suspense>
  );
}
