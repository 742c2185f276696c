// A stored task as a browser may see it: arguments, results, reprs, the captured message and the
// timeline's fields redacted by the runtime's key pattern.

import type { TaskDetail, TaskSummary } from "../store/index";
import { redactText, redactValue } from "./redact";

export function redactTaskDetail(task: TaskDetail, keys: RegExp): TaskDetail {
  return {
    ...task,
    argsJson: redactText(task.argsJson, keys) ?? undefined,
    kwargsJson: redactText(task.kwargsJson, keys) ?? undefined,
    argsRepr: redactText(task.argsRepr, keys) ?? undefined,
    kwargsRepr: redactText(task.kwargsRepr, keys) ?? undefined,
    result: redactText(task.result, keys) ?? undefined,
    messageJson: redactText(task.messageJson, keys) ?? undefined,
    events: task.events.map((event) => (event.fields ? { ...event, fields: redactValue(event.fields, keys) as Record<string, unknown> } : event)),
  };
}

export function redactTaskSummary(task: TaskSummary, keys: RegExp): TaskSummary {
  return task.argsPreview === undefined ? task : { ...task, argsPreview: redactText(task.argsPreview, keys) ?? undefined };
}
