// Public exports of protocol/.

export type { Message, MessageProperties } from "./message";
export type { SignatureDict, SubtaskType } from "./signature-dict";
export type { TaskOptions } from "./task-options";
export { pyJsonParse, pyJsonStringify, type PyJsonOptions } from "./py-json";
export { pyJsonNumber } from "./py-json";
export { pyBytesRepr, pyRepr, pyStrRepr, pyTuple } from "./py-repr";
export { saferepr } from "./saferepr";
export { parsePyIsoformat, pyIsoformat } from "./py-isoformat";
export { decodeBody, encodeBody, JSON_CONTENT_TYPE, ZLIB_COMPRESSION, type EncodedBody, type EncodedMessage, type EncodeOptions } from "./serialization";
export { buildTaskMessage, parseTaskMessage, type TaskEmbed, type TaskMessageSpec, type TaskRequest } from "./task-message";
export { exceptionInfo, formatTraceback } from "./exception-info";
