// Prints remote-control replies as `celery inspect` / `celery control` do
// (celery/bin/control.py _say_remote_command_reply and CLIContext.pretty), node by node as they
// arrive, and ends the call the same way: "N nodes online", or Celery's error and exit code 69
// when nobody answered.

import { pyRepr } from "../celery/index";
import { CliError, EXIT } from "./cli-error";
import { paint } from "./terminal";

const indent = (text: string, by = 4) => text.split("\n").map((line) => " ".repeat(by) + line).join("\n");

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
}

// CLIContext.pretty: lists as "* item" lines (items printed as Python prints them), ok/error
// replies as their text, other dicts as sorted JSON with 4 spaces.
function pretty(reply: unknown): { ok: boolean; text: string } {
  if (Array.isArray(reply)) {
    if (reply.length === 0) return { ok: true, text: "- empty -" };
    return { ok: true, text: reply.map((item) => `${paint("*", "bold")} ${typeof item === "string" ? item : pyRepr(item)}`).join("\n") };
  }
  if (typeof reply === "object" && reply !== null) {
    const record = reply as Record<string, unknown>;
    if ("ok" in record) return { ok: true, text: indent(pretty(record.ok).text) };
    if ("error" in record) return { ok: false, text: indent(pretty(record.error).text) };
    return { ok: true, text: JSON.stringify(sortKeys(reply), null, 4) };
  }
  return { ok: true, text: typeof reply === "string" ? reply : pyRepr(reply) };
}

/** The lines Celery prints for one node's reply: `->  node: OK` and the reply indented below. */
export function formatNodeReply(node: string, reply: unknown): string {
  const { ok, text } = pretty(reply);
  const status = ok ? paint("OK", ["green", "bold"]) : paint("ERROR", ["red", "bold"]);
  return `${paint("->", "bold")}  ${paint(`${node}: `, ["cyan", "bold"])}${status}\n${indent(text)}`;
}

/** Prints each `{node: reply}` of a raw reply as it arrives (a Mailbox/Inspect `onReply`). */
export function printNodeReply(raw: Record<string, unknown>): void {
  for (const [node, reply] of Object.entries(raw)) process.stdout.write(`${formatNodeReply(node, reply)}\n`);
}

/**
 * Ends a call: throws Celery's "No nodes replied" (exit 69) when `count` is 0, otherwise
 * prints "N node(s) online." unless the output is JSON.
 */
export function finishReplies(count: number, context: { timeoutSeconds: number; broker: string; json: boolean }): void {
  if (count === 0) {
    throw new CliError(
      `No nodes replied within time constraint (${context.timeoutSeconds} s on ${context.broker}): check that a worker runs on this broker (and matches --destination), or raise --timeout.`,
      EXIT.UNAVAILABLE,
    );
  }
  if (!context.json) process.stdout.write(`\n${count} ${count === 1 ? "node" : "nodes"} online.\n`);
}
