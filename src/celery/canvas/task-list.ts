// What a chain and a group have in common: a signature whose kwargs hold its member signatures
// (`{tasks}` in Celery's dict), bound to its own app or else to its first member's.

import type { SubtaskType } from "../protocol/signature-dict";
import type { TaskOptions } from "../protocol/task-options";
import type { CanvasApp } from "./canvas-app";
import { Signature } from "./signature";

export abstract class TaskList extends Signature {
  constructor(task: "celery.chain" | "celery.group", subtaskType: Exclude<SubtaskType, null>, tasks: Signature[], options: TaskOptions, app?: CanvasApp) {
    super({ task, kwargs: { tasks }, options, subtask_type: subtaskType }, app);
  }

  get tasks(): Signature[] {
    return this.kwargs.tasks as Signature[];
  }

  set tasks(tasks: Signature[]) {
    this.kwargs.tasks = tasks;
  }

  override get app(): CanvasApp | undefined {
    return this.boundApp ?? this.tasks[0]?.app;
  }
}
