// Public exports of result/.

export { AsyncResult, errorFromMeta, type GetOptions, type WalkOptions } from "./async-result";
export { GroupResult } from "./group-result";
export { resultFromTuple, type AnyResult, type GroupResultTuple, type TaskResultTuple } from "./result-tuple";
