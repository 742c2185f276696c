// One process at a time per embedded (PGlite) store directory: PGlite has no server to arbitrate,
// and two processes writing the same files lose or corrupt data silently. A lock file holding the
// owner's pid makes the second opener fail with a message instead; a lock left by a dead process
// is taken over.

import { AppError } from "../app-error";
import { takePidLock } from "../pid-lock";

/** The directory is already open in a live process. */
export class StoreLocked extends AppError {
  constructor(message: string) {
    super("CONFLICT", message);
  }
}

/** Takes the directory's lock; resolves to the function that releases it. */
export function lockEmbeddedStore(dir: string): Promise<() => Promise<void>> {
  // Beside the directory, not inside it: PGlite initialises only an empty directory.
  return takePidLock(`${dir.replace(/\/+$/, "")}.lock`, (owner) =>
    owner > 0
      ? new StoreLocked(
          `The embedded store ${dir} is open in another process (pid ${owner}${owner === process.pid ? ", this one" : ""}): stop that process first, or point both at a PostgreSQL store (DATABASE_URL=postgresql://…) to share it.`,
        )
      : new StoreLocked(`Could not take the lock of the embedded store ${dir}: another process keeps taking it.`),
  );
}
