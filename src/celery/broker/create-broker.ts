// Broker URL → transport instance; mirrors kombu.Connection's transport aliases (kombu/transport/__init__.py).

import { ImproperlyConfigured } from "../errors";
import { AmqpBroker, type AmqpBrokerOptions } from "./amqp/amqp-broker";
import type { Broker } from "./broker";
import { displayUrl } from "./display-url";
import { MemoryBroker } from "./memory/memory-broker";
import { RedisBroker, type RedisBrokerOptions } from "./redis/redis-broker";

const SUPPORTED = ["redis://", "rediss://", "redis+socket://", "amqp://", "amqps://", "pyamqp://", "pyamqps://", "memory://"];

/**
 * Opens (lazily: call `connect()`) the broker a URL names. `options` are the transport options of
 * the chosen transport (Redis: kombu's transport options camelCased; AMQP: the AmqpBroker options).
 */
export function createBroker(url: string, options: RedisBrokerOptions | AmqpBrokerOptions = {}): Broker {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case "redis":
    case "rediss":
    case "redis+socket":
      return new RedisBroker(url, options as RedisBrokerOptions);
    case "amqp":
    case "amqps":
    case "pyamqp":
    case "pyamqps":
      return new AmqpBroker(url, options as AmqpBrokerOptions);
    case "memory":
      return new MemoryBroker(url);
    default:
      throw new ImproperlyConfigured(
        `Unsupported broker URL scheme ${scheme ? `"${scheme}://"` : "(none)"} in ${displayUrl(url)}: use one of ${SUPPORTED.join(", ")}.`,
      );
  }
}
