// One process at a time per embedded (PGlite) store directory: PGlite has no server to arbitrate,
// and two processes writing the same files lose or corrupt data silently. A lock file holding the
// owner's pid makes the second opener fail with a message instead; a lock left by a dead process
// is taken over.

import { open, readFile, unlink } from "node:fs/promises";
import { AppError } from "../app-error";

/** The directory is already open in a live process. */
export class StoreLocked extends AppError {
  constructor(message: string) {
    super("CONFLICT", message);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the directory's lock; resolves to the function that releases it. */
export async function lockEmbeddedStore(dir: string): Promise<() => Promise<void>> {
  // Beside the directory, not inside it: PGlite initialises only an empty directory.
  const path = `${dir.replace(/\/+$/, "")}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(path).catch(() => {});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new StoreLocked(
          `The embedded store ${dir} is open in another process (pid ${owner}${owner === process.pid ? ", this one" : ""}): stop that process first, or point both at a PostgreSQL store (DATABASE_URL=postgresql://…) to share it.`,
        );
      }
      await unlink(path).catch(() => {});
    }
  }
  throw new StoreLocked(`Could not take the lock of the embedded store ${dir}: another process keeps taking it.`);
}
