#!/usr/bin/env node
// Launcher for the `celeriac` command. The servers (dashboard, ingest) run from a bundle of the CLI
// (see server-bundle.js); every other command registers tsx, so the TypeScript CLI and the user's
// app module (`worker -A ./tasks.ts`) load directly.
import process from "node:process";

const SERVER_COMMANDS = new Set(["dashboard", "ingest"]);

let cli;
if (SERVER_COMMANDS.has(process.argv[2])) {
  const { serverBundle } = await import("./server-bundle.js");
  cli = await import(await serverBundle());
} else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import("../src/cli/celeriac.ts");
}
await cli.main(process.argv);
