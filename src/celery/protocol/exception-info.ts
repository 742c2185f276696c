// JS errors as Celery's JSON exception document and a Python-style traceback; mirrors celery.backends.base.prepare_exception.

import type { ExceptionInfo } from "../backend/backend";
import { pyRepr, pyTuple } from "./py-repr";

// JS built-in errors become the Python built-in a Python caller would catch for the same
// mistake, so `except ValueError` works against a TS worker.
const BUILTIN_TYPES: Record<string, string> = {
  Error: "Exception",
  TypeError: "TypeError",
  RangeError: "ValueError",
  URIError: "ValueError",
  SyntaxError: "SyntaxError",
  ReferenceError: "NameError",
  EvalError: "Exception",
  AggregateError: "Exception",
};

/** An error that already names its Celery/Python type (e.g. TaskFailedError, or a user error mimicking one). */
interface CarriesExcType {
  excType: string;
  excModule?: string | null;
  excMessage?: unknown[];
}

function carriesExcType(error: unknown): error is CarriesExcType {
  return typeof error === "object" && error !== null && typeof (error as CarriesExcType).excType === "string";
}

/**
 * Celery's exception document `{exc_type, exc_message, exc_module}` for anything thrown:
 * - an error with `excType` (TaskFailedError from a remote failure, or your own error class with
 *   `excType`/`excModule`/`excMessage` fields) keeps that Python identity;
 * - JS built-ins map to Python built-ins, module `"builtins"` (Error → Exception,
 *   RangeError/URIError → ValueError, ReferenceError → NameError, TypeError, SyntaxError);
 * - other Error subclasses keep their `name` with `exc_module: null`: Python then rebuilds an
 *   exception class of that name instead of importing a module that does not exist;
 * - a thrown non-Error becomes `Exception(String(value))`.
 * `exc_message` is the exception's args: `[message]`, or `[]` for an empty message.
 */
export function exceptionInfo(error: unknown): ExceptionInfo {
  if (carriesExcType(error)) {
    const message = error.excMessage ?? (error instanceof Error && error.message ? [error.message] : []);
    return { exc_type: error.excType, exc_message: message, exc_module: error.excModule ?? null };
  }
  if (!(error instanceof Error)) return { exc_type: "Exception", exc_message: [String(error)], exc_module: "builtins" };
  const args = error.message ? [error.message] : [];
  const builtin = Object.prototype.hasOwnProperty.call(BUILTIN_TYPES, error.name) ? BUILTIN_TYPES[error.name] : undefined;
  if (builtin) return { exc_type: builtin, exc_message: args, exc_module: "builtins" };
  return { exc_type: error.name || error.constructor.name || "Exception", exc_message: args, exc_module: null };
}

// V8 frames: "    at fn (file:line:col)", "    at file:line:col", "    at async fn (file:line:col)".
const FRAME = /^\s*at (?:(?:async )?(.*?) \()?(.*?):(\d+):\d+\)?$/;

/**
 * A traceback in Python's layout (oldest frame first, the exception line last), built from the
 * V8 stack, so that tools reading Celery's `traceback` field (Flower, logs) show it naturally.
 */
export function formatTraceback(error: unknown): string {
  const info = exceptionInfo(error);
  const frames: string[] = [];
  const stack = error instanceof Error && typeof error.stack === "string" ? error.stack.split("\n") : [];
  for (const line of stack) {
    const match = FRAME.exec(line);
    if (match) frames.push(`  File "${match[2]}", line ${match[3]}, in ${match[1] || "<module>"}`);
  }
  const qualified = info.exc_module && info.exc_module !== "builtins" ? `${info.exc_module}.${info.exc_type}` : info.exc_type;
  // str(exc): the lone argument as str, several as the repr of the args tuple.
  const [only] = info.exc_message;
  const text = info.exc_message.length === 1 ? (typeof only === "string" ? only : pyRepr(only)) : info.exc_message.length ? pyRepr(pyTuple(info.exc_message)) : "";
  return ["Traceback (most recent call last):", ...frames.reverse(), text ? `${qualified}: ${text}` : qualified].join("\n") + "\n";
}
