// Loads the messages captured from real Celery 5.2.6 (test/fixtures/celery-5.2.6) for golden tests.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Folder of the captured scenario files, `NN_name.<redis|rabbitmq>.json`. */
export const VECTORS_DIR = fileURLToPath(new URL("../fixtures/celery-5.2.6/", import.meta.url));

/** One captured scenario, parsed; callers type the parts they read. */
export function loadVector<T = Record<string, unknown>>(file: string): T {
  const name = file.endsWith(".json") ? file : `${file}.json`;
  return JSON.parse(readFileSync(`${VECTORS_DIR}${name}`, "utf8")) as T;
}
