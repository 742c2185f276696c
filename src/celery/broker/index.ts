// Public exports of broker/.

export type { Broker, Consumer, ConsumeOptions, Delivery, DriverType, ExchangeSpec, ExchangeType, PublishTarget, QueueInfo, QueueSpec } from "./broker";
export { MemoryBroker } from "./memory/memory-broker";
export { topicMatches } from "./memory/topic-matches";
export { AmqpBroker, type AmqpBrokerOptions, type AmqpReconnectOptions } from "./amqp/amqp-broker";
export { RedisBroker, type RedisBrokerOptions } from "./redis/redis-broker";
export type { RedisTransportOptions, RedisLayout } from "./redis/redis-layout";
export { encodeRedisEnvelope, decodeRedisEnvelope, type DecodedEnvelope } from "./redis/redis-envelope";
export { kombuTopicPattern } from "./redis/kombu-topic-pattern";
export { createBroker } from "./create-broker";
export { displayUrl } from "./display-url";
