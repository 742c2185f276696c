// The store's public surface: openStore and the types its callers see. Code outside
// src/server/store imports from here, never Prisma.

export { openStore, type OpenStoreOptions } from "./open-store";
export { Store } from "./store";
export { StoreRejected, StoreUnavailable } from "./store-unavailable";
export { StoreLocked } from "./embedded-lock";
export { StoreUrlError, STORE_URL_FORMS } from "./store-url";
export { PLANNED } from "./state-rank";
export { listTasksQuery, type ListTasksQuery, type TaskPage, type TaskSummary } from "./list-tasks";
export type { TaskDetail } from "./get-task";
export type { Workflow, WorkflowNode, WorkflowGroup, WorkflowGraphEdge } from "./get-workflow";
export type { WorkerSummary } from "./list-workers";
export type { GroupMember, GroupMembers } from "./list-group-members";
export { timeRange, type TimeRange } from "./time-range";
export type { Throughput, ThroughputMinute } from "./get-throughput";
export type { TaskStats, Percentiles } from "./get-task-stats";
export type { QueueStats } from "./get-queue-stats";
export { retentionPolicy, type RetentionPolicy, type RetentionResult } from "./enforce-retention";
export type { TimelineEvent } from "../ingest/observation";
export type { UserSummary } from "./users";
export type { AuditEntry, AuditJson } from "./audit-log";
export type { QuarantineRow } from "./quarantine";
export type { ChangeMark } from "./get-change-mark";
export { AlertStore, alertStore } from "./alert-store";
export type { AlertStateRow, AlertStateWrite, Evaluation, NewAlertEvent } from "./alert-states";
export type { AlertEventRow, AlertDeliveryRow } from "./alert-history";
export type { DueDelivery, DeliveryAttempt } from "./alert-deliveries";
export type { AlertSilenceRow } from "./alert-silences";
export type { AlertRunnerStatus } from "./alert-runner";
export type { TaskOutcomes } from "./alert-measurements";
