// Error hierarchy of the library; mirrors celery/exceptions.py (and kombu's decode errors).

/** Stable machine-readable codes: callers switch on these, never on messages. */
export type CeleryErrorCode =
  | "IMPROPERLY_CONFIGURED"
  | "CONTENT_DISALLOWED"
  | "DECODE_ERROR"
  | "MALFORMED_MESSAGE"
  | "NOT_REGISTERED"
  | "TIMEOUT"
  | "INCOMPLETE_STREAM"
  | "TASK_FAILED"
  | "TASK_REVOKED"
  | "CHORD_ERROR"
  | "INVALID_CANVAS"
  | "BROKER_CONNECTION"
  | "BACKEND_ERROR"
  | "OPERATIONAL_ERROR"
  | "RETRY"
  | "MAX_RETRIES_EXCEEDED"
  | "TIME_LIMIT_EXCEEDED"
  | "WORKER_LOST"
  | "REJECT"
  | "IGNORE";

/** Root of every error the library throws. `code` survives bundling where `instanceof` may not. */
export class CeleryError extends Error {
  readonly code: CeleryErrorCode;
  constructor(code: CeleryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad or missing configuration (celery.exceptions.ImproperlyConfigured). */
export class ImproperlyConfigured extends CeleryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("IMPROPERLY_CONFIGURED", message, options);
  }
}

/** A message whose content type / serializer we refuse (kombu.exceptions.ContentDisallowed). */
export class ContentDisallowed extends CeleryError {
  constructor(message: string) {
    super("CONTENT_DISALLOWED", message);
  }
}

/** Bytes that do not decode with the declared serializer (kombu.exceptions.DecodeError). */
export class DecodeError extends CeleryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("DECODE_ERROR", message, options);
  }
}

/** A decodable message that is not a valid Celery task/event/control message (InvalidTaskError). */
export class MalformedMessage extends CeleryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("MALFORMED_MESSAGE", message, options);
  }
}

/** A task name no registry knows (celery.exceptions.NotRegistered). */
export class NotRegistered extends CeleryError {
  readonly taskName: string;
  constructor(taskName: string) {
    super("NOT_REGISTERED", `Task of kind '${taskName}' is not registered: register it on the app or check the name the producer sent.`);
    this.taskName = taskName;
  }
}

/** Waiting for a result took longer than allowed (celery.exceptions.TimeoutError). */
export class TimeoutError extends CeleryError {
  constructor(message: string) {
    super("TIMEOUT", message);
  }
}

/** Walking a result graph reached a task that has not finished (celery.exceptions.IncompleteStream). */
export class IncompleteStream extends CeleryError {
  constructor(message: string) {
    super("INCOMPLETE_STREAM", message);
  }
}

/**
 * A task failed on a worker (any language). Carries Celery's exception document so that
 * `exc_type` etc. survive: `AsyncResult.get()` throws this for FAILURE.
 */
export class TaskFailedError extends CeleryError {
  readonly taskId: string;
  readonly excType: string;
  readonly excModule: string | null;
  readonly excMessage: unknown[];
  readonly traceback: string | null;
  constructor(
    taskId: string,
    exc: { exc_type: string; exc_message: unknown[]; exc_module?: string | null },
    traceback: string | null,
    code: CeleryErrorCode = "TASK_FAILED",
  ) {
    const detail = exc.exc_message.map((part) => (typeof part === "string" ? part : JSON.stringify(part))).join(", ");
    super(code, `Task ${taskId} raised ${exc.exc_type}(${detail})`);
    this.taskId = taskId;
    this.excType = exc.exc_type;
    this.excModule = exc.exc_module ?? null;
    this.excMessage = exc.exc_message;
    this.traceback = traceback;
  }
}

/** The task was revoked, expired or terminated (celery.exceptions.TaskRevokedError). */
export class TaskRevokedError extends TaskFailedError {
  constructor(taskId: string, exc: { exc_type: string; exc_message: unknown[]; exc_module?: string | null }, traceback: string | null) {
    super(taskId, exc, traceback, "TASK_REVOKED");
  }
}

/** A chord header member failed, so the body cannot run (celery.exceptions.ChordError). */
export class ChordError extends CeleryError {
  constructor(message: string) {
    super("CHORD_ERROR", message);
  }
}

/**
 * A canvas that cannot be applied as asked, such as a `link` on a group or an empty chain (Celery
 * raises TypeError or silently returns None there).
 */
export class InvalidCanvas extends CeleryError {
  constructor(message: string) {
    super("INVALID_CANVAS", message);
  }
}

/** The broker is unreachable or the connection was lost. */
export class BrokerConnectionError extends CeleryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("BROKER_CONNECTION", message, options);
  }
}

/** The result backend is unreachable or returned something unusable. */
export class BackendError extends CeleryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("BACKEND_ERROR", message, options);
  }
}
