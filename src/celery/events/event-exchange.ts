// The celeryev exchange declaration; mirrors get_exchange in celery/events/event.py.

import type { Broker, ExchangeSpec } from "../broker/broker";

/** Celery's default `event_exchange`. */
export const EVENT_EXCHANGE = "celeryev";

/**
 * The event exchange as Celery declares it for this broker: a durable topic exchange, switched
 * to fanout on Redis (kombu issue #436) because Redis delivers fanout over PUBLISH/PSUBSCRIBE,
 * where topic patterns still work through the channel name `/<db>.celeryev/<routing key>`.
 */
export function eventExchange(broker: Pick<Broker, "driverType">, name: string = EVENT_EXCHANGE): ExchangeSpec {
  return { name, type: broker.driverType === "redis" ? "fanout" : "topic", durable: true, autoDelete: false };
}
