// The server's log lines: one line each, a level and a component, on stderr/stdout. Callers pass
// display URLs and ids, never credentials or task arguments.

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** A logger whose lines carry `component`. */
  child(component: string): Logger;
}

export type LogLevel = "info" | "warn" | "error" | "silent";
const RANK: Record<LogLevel, number> = { info: 0, warn: 1, error: 2, silent: 3 };

/** Writes `[time] LEVEL component: message` lines at or above `level`. */
export function createLogger(level: LogLevel = "info", component = "celeriac"): Logger {
  const line = (name: string, message: string) => `[${new Date().toISOString()}] ${name} ${component}: ${message}`;
  return {
    info: (message) => RANK[level] <= 0 && console.log(line("INFO", message)),
    warn: (message) => RANK[level] <= 1 && console.warn(line("WARN", message)),
    error: (message) => RANK[level] <= 2 && console.error(line("ERROR", message)),
    child: (name) => createLogger(level, `${component}.${name}`),
  };
}
