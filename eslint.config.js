// Lint, and the layer rules of DESIGN.md enforced mechanically: each folder may import only
// what the layer below it exposes.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const uiOrServerLibs = ["next", "next/*", "react", "react-dom", "@trpc/*", "@prisma/*", "prisma", "recharts", "zod"];

/** The library: Node built-ins, ioredis, amqplib and itself. Never the app layers or env. */
const libraryRules = {
  "no-restricted-imports": [
    "error",
    {
      patterns: [
        { group: ["~/*", "**/server/**", "**/trpc/**", "**/app/**/page*", "**/components/**"], message: "src/celery is the library: it imports only Node built-ins, ioredis, amqplib and itself." },
        { group: uiOrServerLibs, message: "src/celery must not depend on UI, tRPC, Prisma or zod." },
      ],
    },
  ],
  "no-restricted-properties": ["error", { object: "process", property: "env", message: "The library never reads process.env: configuration arrives as arguments." }],
};

/** Pure library layers: no I/O at all. */
const pureRules = {
  "no-restricted-imports": [
    "error",
    {
      patterns: [
        { group: ["ioredis", "amqplib", "node:net", "node:fs", "node:fs/*", "node:child_process", "../broker/*/**", "../backend/*/**", "../worker/**"], message: "protocol/, canvas/, states and errors are pure: no I/O imports." },
        { group: ["~/*", ...uiOrServerLibs], message: "src/celery is the library: it imports only Node built-ins, ioredis, amqplib and itself." },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ["node_modules/", ".next/", "coverage/", "**/*.d.ts", "next-env.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  { files: ["src/celery/**/*.ts"], rules: libraryRules },
  { files: ["src/celery/protocol/**/*.ts", "src/celery/canvas/**/*.ts", "src/celery/states.ts", "src/celery/errors.ts", "src/celery/events/{cluster-state,event-types,lamport-clock}.ts"], rules: pureRules },
  {
    // Only the worker may import the worker.
    files: ["src/celery/**/*.ts"],
    ignores: ["src/celery/worker/**", "src/celery/index.ts"],
    rules: {
      "no-restricted-syntax": ["error", { selector: "ImportDeclaration[source.value=/\\/worker\\//]", message: "Nothing outside worker/ imports worker/ (except the entry point)." }],
    },
  },
  {
    // Everything outside the library enters it through its one door.
    files: ["src/server/**/*.ts", "src/trpc/**/*.ts", "test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["~/celery/*", "**/src/celery/*/**", "!**/src/celery/index*"], message: "Import the library through src/celery/index.ts only." }] }],
    },
  },
  {
    // Only src/server/store calls the database (DESIGN.md): everything else in the server uses the store's functions.
    files: ["src/server/**/*.ts", "src/cli/**/*.ts"],
    ignores: ["src/server/store/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["~/celery/*", "**/src/celery/*/**", "!**/src/celery/index*"], message: "Import the library through src/celery/index.ts only." },
            { group: ["@prisma/*", "prisma", "pg", "@electric-sql/*", "pglite-prisma-adapter"], message: "Only src/server/store talks to the database: call a store function instead." },
          ],
        },
      ],
    },
  },
  {
    files: ["src/app/**/*.{ts,tsx}", "src/components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["~/server/*", "~/celery/*", "**/server/**", "**/celery/**", "@prisma/*"], message: "UI imports ~/trpc and UI libraries only; types come from RouterOutputs." }] }],
    },
  },
);
