// Public exports of canvas/.

export type { CanvasApp } from "./canvas-app";
export { Signature, toPlain, type CanvasResult, type FreezeOptions, type SignatureInit } from "./signature";
export { signatureFromDict } from "./signature-from-dict";
export { Chain, chain, pipe } from "./chain";
export { Group, group } from "./group";
export { Chord, chord, type ChordExtra } from "./chord";
export { XMap, xmap, xstarmap, type MapTaskName } from "./x-map";
export { Chunks, chunks } from "./chunks";
