// Public exports of events/.

export { ClusterState, type ClusterStateChange, type ClusterStateOptions, type TaskRecord, type WorkerRecord } from "./cluster-state";
export { EventDispatcher, type EventDispatcherOptions, type EventFields } from "./event-dispatcher";
export { EVENT_EXCHANGE, eventExchange } from "./event-exchange";
export { EventReceiver, type CaptureOptions, type EventHandler, type EventHandlers, type EventReceiverOptions } from "./event-receiver";
export {
  isKnownEvent,
  parseEvent,
  type CeleryEvent,
  type CustomEvent,
  type EventBase,
  type KnownEvent,
  type KnownEventMap,
  type KnownEventType,
  type TaskCancelledEvent,
  type TaskEvent,
  type TaskEventBase,
  type TaskFailedEvent,
  type TaskReceivedEvent,
  type TaskRejectedEvent,
  type TaskRetriedEvent,
  type TaskRevokedEvent,
  type TaskSentEvent,
  type TaskStartedEvent,
  type TaskSucceededEvent,
  type WorkerEvent,
  type WorkerEventBase,
  type WorkerHeartbeatEvent,
  type WorkerOfflineEvent,
  type WorkerOnlineEvent,
} from "./event-types";
export { LamportClock } from "./lamport-clock";
export { adjustTimestamp, utcoffset } from "./utcoffset";
