// Public exports of backend/.

export type { ChordPart, ChordPartOutcome, ExceptionInfo, ResultBackend, ResultMeta, ResultTuple } from "./backend";
export { createBackend, type CreateBackendOptions } from "./create-backend";
export { DisabledBackend } from "./disabled-backend";
export { MemoryBackend, MemoryStore, type MemoryBackendOptions } from "./memory/memory-backend";
export { RedisBackend, type RedisBackendOptions } from "./redis/redis-backend";
export { decodeChordPart, decodeGroupMeta, decodeResultMeta, encodeChordPart, encodeGroupMeta, encodeResultMeta, pendingMeta, validateResultTuple } from "./result-meta";
