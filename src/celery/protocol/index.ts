// Public exports of protocol/.

export type { Message, MessageProperties } from "./message";
export type { SignatureDict, SubtaskType } from "./signature-dict";
export type { TaskOptions } from "./task-options";
export { pyJsonParse, pyJsonStringify, type PyJsonOptions } from "./py-json";
