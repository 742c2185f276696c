// The alert evaluator suite on embedded PGlite (in memory).

import { describe } from "vitest";
import { openStore } from "../../../src/server/store/index";
import { alertEvaluatorSuite } from "./alert-evaluator-suite";

// Each test opens its own embedded store (PGlite starts slowly on a busy machine).
describe("alert evaluator on PGlite", { timeout: 120_000 }, () => {
  alertEvaluatorSuite(() => openStore("memory:"));
});
