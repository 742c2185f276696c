// The library's only entry point: everything public is exported from here.

export * from "./errors";
export * from "./states";
export * from "./protocol/index";
export * from "./canvas/index";
export * from "./broker/index";
export * from "./backend/index";
export * from "./result/index";
export * from "./app/index";
export * from "./events/index";
export * from "./control/index";
export * from "./worker/index";
