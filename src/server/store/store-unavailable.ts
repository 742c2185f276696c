// The one error the store raises when its database cannot be reached (refused, reset, server
// shutting down), so the ingestor can wait and retry instead of crashing; other errors pass as-is.

import { AppError } from "../app-error";

/** The database is unreachable or dropped the connection; retrying later may succeed. */
export class StoreUnavailable extends AppError {
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super("UNAVAILABLE", message);
  }
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
// SQLSTATE class 08 (connection exception), 57P01-03 (admin shutdown, crash shutdown, cannot connect now).
const SQLSTATE = /^(08|57P0[123])/;
const PRISMA_CODES = new Set(["P1001", "P1002", "P1017"]);
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const MESSAGES = /Connection terminated|connection (is )?closed|Client has encountered a connection error|ECONNREFUSED|ECONNRESET|terminating connection/i;

/** True when `error` (or anything in its cause chain) says the connection, not the query, failed. */
export function isConnectionError(error: unknown, depth = 0): boolean {
  if (depth > 6 || error === null || typeof error !== "object") return false;
  const record = error as Record<string, unknown>;
  for (const key of ["code", "originalCode", "kind"]) {
    const value = record[key];
    if (typeof value !== "string") continue;
    if (NETWORK_CODES.has(value) || PRISMA_CODES.has(value) || ADAPTER_KINDS.has(value) || (key !== "kind" && SQLSTATE.test(value))) return true;
  }
  if (typeof record.message === "string" && MESSAGES.test(record.message)) return true;
  const meta = record.meta as Record<string, unknown> | undefined;
  return [record.cause, meta?.driverAdapterError, ...(Array.isArray(record.errors) ? record.errors : [])].some((inner) => isConnectionError(inner, depth + 1));
}

/** Runs `work`, turning connection failures into StoreUnavailable naming `where`. */
export async function guardConnection<T>(where: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StoreUnavailable || !isConnectionError(error)) throw error;
    const reason = error instanceof Error ? error.message.trim().split("\n").pop() : String(error);
    throw new StoreUnavailable(`The store at ${where} is unavailable (${reason}); check that the database is running and reachable, then retry.`, error);
  }
}
