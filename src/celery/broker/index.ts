// Public exports of broker/.

export type { Broker, Consumer, ConsumeOptions, Delivery, DriverType, ExchangeSpec, ExchangeType, PublishTarget, QueueSpec } from "./broker";
export { MemoryBroker } from "./memory/memory-broker";
export { topicMatches } from "./memory/topic-matches";
export { AmqpBroker, type AmqpBrokerOptions, type AmqpReconnectOptions } from "./amqp/amqp-broker";
