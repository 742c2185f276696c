// `celeriac users add|list`: dashboard accounts in the store (DATABASE_URL), created through the
// add-user service and recorded in the audit log as `cli:<os user>`.

import { type Command, Option } from "commander";
import { withCliAdmin } from "../cli-admin";
import { CliError, EXIT } from "../cli-error";
import { exitWhenDone } from "../command-exit";
import { paint, printJson } from "../terminal";

const ROLES = ["viewer", "operator", "admin"] as const;

interface AddFlags {
  role: (typeof ROLES)[number];
  passwordStdin: boolean;
  json: boolean;
}

/** The password piped in: everything up to EOF, minus the one line ending `echo` adds. */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("Type the password, then press Enter and Ctrl-D:\n");
  let text = "";
  for await (const chunk of process.stdin) text += chunk.toString();
  return text.replace(/\r?\n$/, "");
}

async function addUserCommand(name: string, flags: AddFlags): Promise<void> {
  const trimmed = name.trim();
  if (trimmed === "" || /\s/.test(trimmed)) throw new CliError(`The account name ${JSON.stringify(name)} must be one word without spaces, e.g. alice.`, EXIT.USAGE);
  const { addUser, generatePassword } = await import("../../server/services/add-user");
  const piped = flags.passwordStdin ? await readPasswordFromStdin() : null;
  if (piped !== null && piped.length === 0) throw new CliError("--password-stdin read an empty password: pipe one in, e.g. `printf %s \"$PASSWORD\" | celeriac users add …`.", EXIT.USAGE);
  const password = piped ?? generatePassword();
  const { result: user } = await withCliAdmin({}, { cluster: false }, (admin) =>
    admin.act({ action: "user.add", target: trimmed, input: { name: trimmed, role: flags.role } }, async () => {
      const created = await addUser(admin.runtime.store, { name: trimmed, role: flags.role, password });
      return { id: created.id, name: created.name, role: created.role };
    }),
  );
  if (flags.json) {
    printJson({ ...user, ...(piped === null ? { password } : {}) });
    return;
  }
  process.stdout.write(`Created ${user.role} account ${JSON.stringify(user.name)}.\n`);
  if (piped === null) process.stdout.write(`Password: ${paint(password, "bold")}\n${paint("(shown once: nothing stores it in clear, so keep it now)", "dim")}\n`);
}

async function listUsersCommand(flags: { json: boolean }): Promise<void> {
  const users = await withCliAdmin({}, { cluster: false }, (admin) => admin.runtime.store.listUsers());
  if (flags.json) {
    printJson(users);
    return;
  }
  if (users.length === 0) process.stdout.write("No accounts yet: add one with `celeriac users add <name> --role admin`.\n");
  for (const user of users) process.stdout.write(`${user.name.padEnd(24)} ${user.role.padEnd(9)} created ${user.createdAt.toISOString()}\n`);
}

/** Registers `celeriac users`. */
export function addUsersCommand(program: Command): void {
  const users = program.command("users").description("Manage dashboard accounts in the store (DATABASE_URL)");
  users
    .command("add")
    .description("Create an account; without --password-stdin a random password is generated and printed once")
    .argument("<name>", "login name")
    .addOption(new Option("-r, --role <role>", "what the account may do: viewer looks, operator acts on tasks and workers, admin also manages accounts").choices(ROLES).makeOptionMandatory())
    .option("--password-stdin", "read the password from standard input (at least 12 characters)", false)
    .option("-j, --json", "print {id, name, role} (and the generated password) as JSON", false)
    .addHelpText("after", "\nExamples:\n  celeriac users add alice --role operator\n  printf %s \"$PASSWORD\" | celeriac users add ci --role viewer --password-stdin")
    .action(exitWhenDone(addUserCommand));
  users
    .command("list")
    .description("List the accounts and their roles")
    .option("-j, --json", "print the accounts as JSON", false)
    .action(exitWhenDone(listUsersCommand));
}
