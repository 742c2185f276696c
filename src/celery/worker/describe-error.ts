// A thrown value as the worker records it: exception document, traceback and repr; mirrors celery.app.trace's ExceptionInfo use (backend.prepare_exception + safe_repr(exc)).

import type { ExceptionInfo } from "../backend/backend";
import { CeleryError, type CeleryErrorCode } from "../errors";
import { exceptionInfo, formatTraceback } from "../protocol/exception-info";
import { pyRepr } from "../protocol/py-repr";

export interface ErrorDescription {
  /** What was thrown (handed to in-process errbacks). */
  error: unknown;
  exc: ExceptionInfo;
  traceback: string;
  /** Python's repr of the exception, as events carry it: `ValueError('boom')`. */
  repr: string;
}

// Library errors that stand for Celery's own exceptions keep Celery's class and module, so a
// Python AsyncResult re-creates the real celery.exceptions class.
const CELERY_TYPES: Partial<Record<CeleryErrorCode, string>> = {
  NOT_REGISTERED: "NotRegistered",
  CHORD_ERROR: "ChordError",
  TASK_REVOKED: "TaskRevokedError",
};

/** repr() of an exception document as Python prints the re-created exception: `ValueError('boom')`. */
export function reprOfExceptionInfo(exc: ExceptionInfo): string {
  return `${exc.exc_type}(${exc.exc_message.map((arg) => pyRepr(arg)).join(", ")})`;
}

function documentOf(error: unknown): ExceptionInfo {
  if (error instanceof CeleryError && !("excType" in error)) {
    const type = CELERY_TYPES[error.code];
    if (type) {
      const message = error.code === "NOT_REGISTERED" ? [(error as CeleryError & { taskName: string }).taskName] : [error.message];
      return { exc_type: type, exc_message: message, exc_module: "celery.exceptions" };
    }
  }
  return exceptionInfo(error);
}

/** Describes anything a task threw. */
export function describeError(error: unknown): ErrorDescription {
  const exc = documentOf(error);
  return { error, exc, traceback: formatTraceback(error), repr: reprOfExceptionInfo(exc) };
}
