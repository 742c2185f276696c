// Password hashing for local accounts: argon2id through @node-rs/argon2 (OWASP's first choice),
// never a hand-rolled scheme.

import { hash, verify } from "@node-rs/argon2";

/** Shortest password we accept; long passphrases beat complexity rules. */
export const MIN_PASSWORD_LENGTH = 12;

/** An argon2id PHC string (`$argon2id$v=19$…`) holding its own salt and parameters. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** True when `password` matches `stored`; a malformed `stored` is a mismatch, not a crash. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
