// Creates a dashboard account (CLI `celeriac users add`, the admin page, the first admin).

import { randomBytes } from "node:crypto";
import { AppError } from "../app-error";
import { MIN_PASSWORD_LENGTH, hashPassword } from "../auth/password";
import type { Role } from "../auth/roles";
import type { Store } from "../store/index";

/** A random password for a new account: 18 bytes → 24 base64url characters. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}

export async function addUser(store: Store, input: { name: string; role: Role; password: string }) {
  if (input.password.length < MIN_PASSWORD_LENGTH) throw new AppError("BAD_INPUT", `The password must be at least ${MIN_PASSWORD_LENGTH} characters.`);
  const created = await store.createUser({ name: input.name, role: input.role, passwordHash: await hashPassword(input.password) });
  if (!created) throw new AppError("CONFLICT", `An account named ${JSON.stringify(input.name)} already exists: pick another name.`);
  return created;
}
