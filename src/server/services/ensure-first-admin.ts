// The first admin, created at start-up when the store has no account yet: from
// CELERIAC_ADMIN_USER / CELERIAC_ADMIN_PASSWORD when set, otherwise with a random password that is
// printed exactly once. There is never a default password.

import type { ServerConfig } from "../config/server-config";
import type { Store } from "../store/index";
import { addUser, generatePassword } from "./add-user";

export interface FirstAdmin {
  name: string;
  /** Set only when generated here: the caller prints it once, nothing stores it in clear. */
  generatedPassword: string | null;
}

/** Creates the first admin if there is no account; resolves to null when accounts exist. */
export async function ensureFirstAdmin(store: Store, config: ServerConfig): Promise<FirstAdmin | null> {
  if ((await store.countUsers()) > 0) return null;
  const name = config.CELERIAC_ADMIN_USER ?? "admin";
  const generatedPassword = config.CELERIAC_ADMIN_PASSWORD ? null : generatePassword();
  await addUser(store, { name, role: "admin", password: config.CELERIAC_ADMIN_PASSWORD ?? (generatedPassword as string) });
  return { name, generatedPassword };
}
