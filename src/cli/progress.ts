// Progress on stderr, so stdout stays what scripts read: a spinner line while the CLI waits (only
// on a terminal, so logs stay clean) and one line per step of a multi-step action.

import { paint } from "./terminal";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export interface Progress {
  /** Replaces the text after the spinner. */
  update(text: string): void;
  /** Clears the line. */
  stop(): void;
}

/** Starts a spinner reading `text (elapsed s)` on stderr when it is a TTY; otherwise a no-op. */
export function startProgress(text: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  let frame = 0;
  let label = text;
  const draw = () => {
    const elapsed = ((Date.now() - started) / 1000).toFixed(0);
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${label} (${elapsed} s)`);
  };
  draw();
  // unref: a forgotten spinner must never keep the process alive.
  const timer = setInterval(draw, 100).unref();
  return {
    update(next) {
      label = next;
    },
    stop() {
      clearInterval(timer);
      stream.write("\r\x1b[2K");
    },
  };
}

/** One step of a longer action (`relaunch`): `→ text` on stderr. */
export function printStep(text: string): void {
  process.stderr.write(`${paint("→", ["cyan", "bold"], process.stderr)} ${text}\n`);
}

/** A warning the action's plan carries: `warning: text` on stderr. */
export function printWarning(text: string): void {
  process.stderr.write(`${paint("warning:", ["yellow", "bold"], process.stderr)} ${text}\n`);
}
