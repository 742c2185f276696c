// Public exports of canvas/.

export type { CanvasApp } from "./canvas-app";
