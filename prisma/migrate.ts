// `npm run db:migrate`: applies pending migrations to the store at DATABASE_URL (what openStore
// does on every start), for operators who migrate as a separate deployment step.
import { openStore } from "../src/server/store/index";

const url = process.env.DATABASE_URL ?? "pglite:./.celeriac/db";
const store = await openStore(url);
await store.close();
console.log(`${store.where}: migrations up to date`);
