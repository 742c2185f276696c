// The two errors the store raises for what its caller must handle differently: StoreUnavailable
// when the database cannot be reached (refused, reset, shutting down: wait and retry), and
// StoreRejected when it refused the data itself (a value out of range, a character it cannot hold:
// retrying the same data fails the same way, so the caller sets it aside). Other errors pass as-is.

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

/** The database refused the values it was given; the same request fails again. */
export class StoreRejected extends AppError {
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super("BAD_INPUT", message);
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

// SQLSTATE classes of a refusal of the data: 22 data exception (out of range, untranslatable
// character, invalid JSON text), 54 program limit exceeded (a value too large for an index).
const DATA_SQLSTATE = /^(22|54)/;

/** The SQLSTATE of a data refusal in `error`'s cause chain, or null. */
export function dataRejectionState(error: unknown, depth = 0): string | null {
  if (depth > 6 || error === null || typeof error !== "object") return null;
  const record = error as Record<string, unknown>;
  for (const key of ["code", "originalCode"]) {
    const value = record[key];
    if (typeof value === "string" && /^[0-9A-Z]{5}$/.test(value) && DATA_SQLSTATE.test(value)) return value;
  }
  const meta = record.meta as Record<string, unknown> | undefined;
  for (const inner of [record.cause, meta?.driverAdapterError]) {
    const state = dataRejectionState(inner, depth + 1);
    if (state) return state;
  }
  return null;
}

const lastLine = (error: unknown) => (error instanceof Error ? error.message.trim().split("\n").pop() : String(error));

/** Runs `work`, turning connection failures into StoreUnavailable and data refusals into StoreRejected, naming `where`. */
export async function guardConnection<T>(where: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StoreUnavailable || error instanceof StoreRejected) throw error;
    if (isConnectionError(error)) throw new StoreUnavailable(`The store at ${where} is unavailable (${lastLine(error)}); check that the database is running and reachable, then retry.`, error);
    const state = dataRejectionState(error);
    if (state) throw new StoreRejected(`The store refused a value (SQLSTATE ${state}: ${lastLine(error)}).`, error);
    throw error;
  }
}
