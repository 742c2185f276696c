#!/usr/bin/env node
// Launcher for the `celeriac` command: registers tsx so the TypeScript CLI and the user's app module load directly.
import process from "node:process";
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/celeriac.ts");
await main(process.argv);
