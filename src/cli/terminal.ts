// How the CLI writes for people and for scripts: colour only on a terminal (NO_COLOR turns it
// off, FORCE_COLOR on), task states in their usual colours, JSON for `--json`.

type Stream = NodeJS.WriteStream;

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90 } as const;
export type Style = keyof typeof CODES;

/** True when `stream` should get ANSI colours. */
export function colorEnabled(stream: Stream = process.stdout): boolean {
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

/** `text` in the given styles when `stream` takes colour, else unchanged. */
export function paint(text: string, styles: Style | Style[], stream: Stream = process.stdout): string {
  if (!colorEnabled(stream)) return text;
  const codes = (Array.isArray(styles) ? styles : [styles]).map((style) => CODES[style]).join(";");
  return `\x1b[${codes}m${text}\x1b[0m`;
}

const STATE_STYLES: Record<string, Style[]> = {
  SUCCESS: ["green", "bold"],
  FAILURE: ["red", "bold"],
  REVOKED: ["magenta", "bold"],
  REJECTED: ["red"],
  RETRY: ["yellow", "bold"],
  STARTED: ["cyan", "bold"],
  RECEIVED: ["blue"],
  PENDING: ["gray"],
};

/** A task state as a label, coloured by what it means (green done, red failed, …). */
export function stateLabel(state: string, stream: Stream = process.stdout): string {
  return paint(state, STATE_STYLES[state] ?? ["bold"], stream);
}

/** Prints `value` as indented JSON on stdout (one document; what `--json` gives scripts). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints `value` as one line of JSON on stdout (streams: one event per line). */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
