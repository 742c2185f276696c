// What the threads pool and its threads say to each other (structured-clone messages): one job
// at a time per thread, identified by a number the pool hands out; errors go as ThreadError.

import type { ExceptionInfo } from "../backend/backend";
import type { TaskOptions } from "../protocol/task-options";
import { describeError } from "./describe-error";
import type { TaskRequestContext } from "./task-context";

/** What a thread needs to load the app: the module that defines its tasks, and what to import first. */
export interface ThreadData {
  /** URL of the module exporting the app (`export const app` or default), as the CLI's `-A`. */
  module: string;
  /** Modules imported first; one exporting `register()` has it called (tsx/esm/api: a TypeScript loader). */
  preload: string[];
}

/** An error thrown in a thread, as the worker records it; the thread described it with its own classes. */
export interface ThreadError {
  exc: ExceptionInfo;
  message: string;
  stack: string;
  /** The task's autoretryFor matched it (only the thread holds the task's error classes). */
  autoretry: boolean;
}

/** Describes a thrown value for the other side, with the exception document the worker stores. */
export function threadError(error: unknown, autoretry: boolean): ThreadError {
  return {
    exc: describeError(error).exc,
    message: error instanceof Error ? error.message : String(error),
    stack: error instanceof Error ? (error.stack ?? "") : "",
    autoretry,
  };
}

export type ToThread =
  | { type: "run"; job: number; name: string; request: TaskRequestContext }
  | { type: "softTimeLimit"; job: number; seconds: number }
  | { type: "retryPublished"; job: number; error: ThreadError | null };

export type FromThread =
  | { type: "ready" }
  | { type: "loadFailed"; message: string }
  | { type: "succeeded"; job: number; value: unknown }
  | { type: "failed"; job: number; error: ThreadError }
  | { type: "retry"; job: number; exc: ThreadError | null; when: number | Date }
  | { type: "ignore"; job: number; reason: string }
  | { type: "reject"; job: number; reason: string; requeue: boolean }
  | { type: "publishRetry"; job: number; args: unknown[]; kwargs: Record<string, unknown>; options: TaskOptions };
