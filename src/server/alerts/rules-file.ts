// The alert rules file (CELERIAC_ALERT_RULES_FILE): YAML or JSON (JSON is YAML) with `channels:`
// and `rules:` in the admin page's shapes. `${NAME}` in a string is replaced by the environment
// variable NAME, so credentials stay out of the file. A bad file is refused as a whole with every
// problem named (path in the file, what is wrong); the rules loaded before stay in force.

import { readFile, stat } from "node:fs/promises";
import { parse } from "yaml";
import { z } from "zod";
import { AppError } from "../app-error";
import { alertChannelInput, type AlertChannelInput } from "./alert-channel";
import { alertRuleInput, type AlertRuleSpec } from "./alert-rule";

/** Larger files are refused unread: a rules file is a few kilobytes. */
export const MAX_RULES_FILE_BYTES = 1024 * 1024;

const rulesFile = z
  .strictObject({
    channels: z.array(alertChannelInput).max(100).default([]),
    rules: z.array(alertRuleInput).max(1000).default([]),
  })
  .superRefine((file, context) => {
    const seen = (names: string[], path: "rules" | "channels") =>
      names.forEach((name, index) => {
        if (names.indexOf(name) !== index) context.addIssue({ code: "custom", path: [path, index, "name"], message: `${JSON.stringify(name)} is used twice` });
      });
    seen(file.rules.map((rule) => rule.name), "rules");
    seen(file.channels.map((channel) => channel.name), "channels");
  });

export interface RulesFileContent {
  rules: AlertRuleSpec[];
  channels: AlertChannelInput[];
}

/** Replaces `${NAME}` in every string of the document; an unset variable is an error. */
function substitute(value: unknown, env: Record<string, string | undefined>, missing: Set<string>): unknown {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const found = env[name];
      if (found === undefined) missing.add(name);
      return found ?? "";
    });
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, env, missing));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, substitute(inner, env, missing)]));
  return value;
}

/** Parses a rules file's text; throws AppError BAD_INPUT naming every problem. */
export function parseRulesFile(text: string, where: string, env: Record<string, string | undefined> = process.env): RulesFileContent {
  let document: unknown;
  try {
    document = parse(text, { maxAliasCount: 100, logLevel: "error" }) ?? {};
  } catch (error) {
    throw new AppError("BAD_INPUT", `${where} is not valid YAML or JSON: ${(error as Error).message.split("\n")[0]}`);
  }
  const missing = new Set<string>();
  const substituted = substitute(document, env, missing);
  if (missing.size > 0) throw new AppError("BAD_INPUT", `${where} uses environment variables that are not set: ${[...missing].join(", ")}. Set them or remove the \${…} references.`);
  const parsed = rulesFile.safeParse(substituted);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(top level)"}: ${issue.message}`);
    throw new AppError("BAD_INPUT", `${where} has ${problems.length} problem(s), so none of its rules were loaded: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** The file's identity for change detection: size and modification time. */
export async function rulesFileVersion(path: string): Promise<string> {
  const info = await stat(path);
  return `${info.size}:${info.mtimeMs}`;
}

/** Reads and parses the file; throws AppError BAD_INPUT for a missing, huge or invalid file. */
export async function readRulesFile(path: string, env?: Record<string, string | undefined>): Promise<RulesFileContent> {
  const where = `The alert rules file ${path} (CELERIAC_ALERT_RULES_FILE)`;
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > MAX_RULES_FILE_BYTES) throw new AppError("BAD_INPUT", `${where} is ${info.size} bytes; the limit is ${MAX_RULES_FILE_BYTES}.`);
    text = await readFile(path, "utf8");
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("BAD_INPUT", `${where} cannot be read: ${(error as Error).message}`);
  }
  return parseRulesFile(text, where, env);
}
