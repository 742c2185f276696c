// A spinner line on stderr while the CLI waits (for a result, for replies), so a person sees it
// is alive; nothing at all when stderr is not a terminal, so scripts and logs stay clean.

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
