// One task (/tasks/<id>): see task-view.tsx.

import { TaskView } from "./task-view";

export default async function TaskPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <TaskView id={decodeURIComponent(id)} />;
}
