// Public exports of control/: the remote-control client (app.control, inspect) over the pidbox.

export { buildControlRequest, type ControlRequestBody, type ControlRequestSpec } from "./control-request";
export { Control, type AddConsumerOptions, type ControlCallOptions, type ControlOptions } from "./control";
export { flattenReply } from "./flatten-reply";
export { Inspect, type InspectOptions, type InspectReply } from "./inspect";
export { Mailbox, type BroadcastOptions, type MailboxOptions, type NodeReply } from "./mailbox";
export { matchNode, type NodeMatcher } from "./match-node";
export type { ControlResult, QueriedTask, ScheduledTaskInfo, TaskInfo } from "./task-info";
