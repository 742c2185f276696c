// A lock file holding its owner's pid, for resources one process at a time may use on this machine
// (an embedded store's directory, an event journal): the second taker is told who holds it, and a
// lock left by a dead process is taken over.

import { open, readFile, unlink } from "node:fs/promises";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the lock file at `path`; resolves to the function that releases it. When a live process
 * holds it, rejects with `held(pid)`.
 */
export async function takePidLock(path: string, held: (owner: number) => Error): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(path).catch(() => {});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) throw held(owner);
      await unlink(path).catch(() => {});
    }
  }
  throw held(0);
}
