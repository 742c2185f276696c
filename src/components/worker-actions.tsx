"use client";
// Remote control of one worker: shutdown, pool grow/shrink, a task's rate or time limits, adding
// or cancelling a queue consumer. The command and its parameters are chosen in the dialog; the
// preview says in words what the worker will be told.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type RouterInputs, useTRPC } from "../trpc/react";
import { ConfirmAction } from "./confirm-action";
import { WarningList } from "./warning-list";
import { WorkerReplies } from "./worker-replies";

type WorkerCommand = RouterInputs["actions"]["controlWorker"]["action"];
type CommandName = WorkerCommand["command"];

const COMMANDS: { command: CommandName; label: string }[] = [
  { command: "poolGrow", label: "grow the pool" },
  { command: "poolShrink", label: "shrink the pool" },
  { command: "rateLimit", label: "set a task's rate limit" },
  { command: "timeLimit", label: "set a task's time limits" },
  { command: "addConsumer", label: "consume from a queue" },
  { command: "cancelConsumer", label: "stop consuming a queue" },
  { command: "shutdown", label: "shut down" },
];

interface Draft {
  command: CommandName;
  n: number;
  taskName: string;
  rateLimit: string;
  soft: string;
  hard: string;
  queue: string;
}

const seconds = (text: string): number | null => (text.trim() === "" ? null : Number(text));

/** The command the draft describes, as actions.controlWorker takes it. */
function commandOf(draft: Draft): WorkerCommand {
  switch (draft.command) {
    case "shutdown":
      return { command: "shutdown" };
    case "poolGrow":
    case "poolShrink":
      return { command: draft.command, n: draft.n };
    case "rateLimit":
      return { command: "rateLimit", taskName: draft.taskName, rateLimit: draft.rateLimit.trim() === "" ? null : draft.rateLimit.trim() };
    case "timeLimit":
      return { command: "timeLimit", taskName: draft.taskName, soft: seconds(draft.soft), hard: seconds(draft.hard) };
    case "addConsumer":
    case "cancelConsumer":
      return { command: draft.command, queue: draft.queue };
  }
}

export function WorkerActions({ hostname }: { hostname: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const control = useMutation(trpc.actions.controlWorker.mutationOptions());
  const [draft, setDraft] = useState<Draft>({ command: "poolGrow", n: 1, taskName: "", rateLimit: "", soft: "", hard: "", queue: "" });
  const set = (changes: Partial<Draft>) => setDraft((current) => ({ ...current, ...changes }));
  const action = commandOf(draft);
  const field = (key: "taskName" | "rateLimit" | "soft" | "hard" | "queue", placeholder: string, width = 150) => (
    <input aria-label={key} placeholder={placeholder} style={{ width }} value={draft[key]} onChange={(event) => set({ [key]: event.target.value })} />
  );
  return (
    <ConfirmAction
      label="Control…"
      title={`Control ${hostname}`}
      danger={draft.command === "shutdown"}
      options={
        <>
          <select aria-label="command" value={draft.command} onChange={(event) => set({ command: event.target.value as CommandName })}>
            {COMMANDS.map(({ command, label }) => (
              <option key={command} value={command}>
                {label}
              </option>
            ))}
          </select>
          {draft.command === "poolGrow" || draft.command === "poolShrink" ? (
            <input aria-label="processes" type="number" min={1} max={1000} style={{ width: 70 }} value={draft.n} onChange={(event) => set({ n: Math.max(1, Number(event.target.value) || 1) })} />
          ) : null}
          {draft.command === "rateLimit" || draft.command === "timeLimit" ? field("taskName", "task name, e.g. seedflow.add", 220) : null}
          {draft.command === "rateLimit" ? field("rateLimit", "10/s, 100/m (blank: none)") : null}
          {draft.command === "timeLimit" ? (
            <>
              {field("soft", "soft seconds", 110)}
              {field("hard", "hard seconds", 110)}
            </>
          ) : null}
          {draft.command === "addConsumer" || draft.command === "cancelConsumer" ? field("queue", "queue name") : null}
        </>
      }
      preview={trpc.actions.previewControlWorker.queryOptions({ hostname, action })}
      renderPreview={(preview) => (
        <>
          <p>
            <span className="mono">{preview.hostname}</span>: {preview.description}
          </p>
          <WarningList warnings={preview.warnings} />
        </>
      )}
      submit={(_preview, idempotencyKey, reason) => control.mutateAsync({ hostname, action, idempotencyKey, reason })}
      renderResult={(result) => (draft.command === "shutdown" ? <p>Shutdown sent (a worker does not answer a shutdown).</p> : <WorkerReplies replies={result.replies} />)}
      onDone={() => void queryClient.invalidateQueries({ queryKey: trpc.history.pathKey() })}
    />
  );
}
