// The server's one error type: a stable code the UI and CLI can branch on, and a message that
// says what was wrong and what to do. Mapped to tRPC errors in exactly one place (api/trpc.ts).

export const APP_ERROR_CODES = {
  NOT_FOUND: "NOT_FOUND",
  BAD_INPUT: "BAD_REQUEST",
  UNAUTHENTICATED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  READ_ONLY: "FORBIDDEN",
  CSRF: "FORBIDDEN",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  CONFLICT: "CONFLICT",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
} as const;

export type AppErrorCode = keyof typeof APP_ERROR_CODES;

export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly code: AppErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What a caught value says went wrong, for a message that adds what to do about it. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
