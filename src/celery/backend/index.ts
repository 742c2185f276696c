// Public exports of backend/.

export type { ChordPart, ChordPartOutcome, ExceptionInfo, ResultBackend, ResultMeta, ResultTuple } from "./backend";
