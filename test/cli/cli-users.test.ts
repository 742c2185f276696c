// `celeriac users add` on a PGlite store in a temporary directory: a generated password printed
// once or one read from stdin, both good for logging in; the audit log names cli:<os user>;
// a taken name or a short password fails with a clear message.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../src/server/auth/password";
import { openStore, type Store } from "../../src/server/store/index";
import { runCli } from "./run-cli";

describe("celeriac users add", () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "celeriac-cli-users-"));
    env = { DATABASE_URL: `pglite:${dir}` };
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** PGlite on a directory is one process at a time: open it only while no CLI runs. */
  async function withStore<T>(use: (store: Store) => Promise<T>): Promise<T> {
    const store = await openStore(env.DATABASE_URL!);
    try {
      return await use(store);
    } finally {
      await store.close();
    }
  }

  it("creates an account with a generated password printed once, and one from --password-stdin; both log in", async () => {
    const generated = await runCli(["users", "add", "alice", "--role", "operator"], { env, timeoutMs: 120_000 });
    expect(generated.code, generated.stderr).toBe(0);
    const password = /^Password: (\S+)$/m.exec(generated.stdout)?.[1];
    expect(generated.stdout).toMatch(/^Created operator account "alice"\.\n/);
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const piped = await runCli(["users", "add", "bob", "--role", "viewer", "--password-stdin", "--json"], { env, input: "correct horse battery staple\n", timeoutMs: 120_000 });
    expect(piped.code, piped.stderr).toBe(0);
    expect(JSON.parse(piped.stdout)).toEqual({ id: expect.any(String), name: "bob", role: "viewer" });

    await withStore(async (store) => {
      const alice = await store.findUserByName("alice");
      expect(alice?.role).toBe("operator");
      expect(await verifyPassword(alice!.passwordHash, password!)).toBe(true);
      const bob = await store.findUserByName("bob");
      // The line ending `echo` adds is not part of the password.
      expect(await verifyPassword(bob!.passwordHash, "correct horse battery staple")).toBe(true);
      expect(await verifyPassword(bob!.passwordHash, "correct horse battery staple\n")).toBe(false);
      const audit = await store.listAudit({ limit: 10, action: "user.add" });
      expect(audit.map((entry) => [entry.actor, entry.role, entry.target, entry.outcome])).toEqual(
        expect.arrayContaining([
          [`cli:${userInfo().username}`, "admin", "alice", "ok"],
          [`cli:${userInfo().username}`, "admin", "bob", "ok"],
        ]),
      );
      // Neither password is in the audit log.
      expect(JSON.stringify(audit)).not.toContain(password);
      expect(JSON.stringify(audit)).not.toContain("horse");
    });
  }, 240_000);

  it("refuses to open the embedded store while another process has it open", async () => {
    const busy = await withStore(() => runCli(["users", "add", "erin", "--role", "viewer"], { env, timeoutMs: 120_000 }));
    expect(busy.code).not.toBe(0);
    expect(busy.stderr).toMatch(/is open in another process \(pid \d+\): stop that process first, or point both at a PostgreSQL store/);
  }, 240_000);

  it("refuses a taken name (exit 1) and a short or empty piped password (exit 2)", async () => {
    const taken = await runCli(["users", "add", "alice", "--role", "admin"], { env, timeoutMs: 120_000 });
    expect(taken.code).toBe(1);
    expect(taken.stderr.trim().split("\n").at(-1)).toBe('Error: An account named "alice" already exists: pick another name.');
    // One at a time: the embedded store admits one process.
    const short = await runCli(["users", "add", "carol", "--role", "admin", "--password-stdin"], { env, input: "short", timeoutMs: 120_000 });
    const empty = await runCli(["users", "add", "dave", "--role", "admin", "--password-stdin"], { env, input: "", timeoutMs: 120_000 });
    expect(short.code).toBe(2);
    expect(short.stderr.trim().split("\n").at(-1)).toBe("Error: The password must be at least 12 characters.");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("--password-stdin read an empty password");
  }, 240_000);
});
