// The alert evaluator suite on embedded PGlite (in memory).

import { describe } from "vitest";
import { openStore } from "../../../src/server/store/index";
import { alertEvaluatorSuite } from "./alert-evaluator-suite";

describe("alert evaluator on PGlite", () => {
  alertEvaluatorSuite(() => openStore("memory:"));
});
