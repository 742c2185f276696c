// Builds the execution context of a request from a parsed message and its delivery; mirrors celery/worker/request.py (Request.__init__ and its request_dict).

import type { Delivery } from "../broker/broker";
import type { TaskRequest } from "../protocol/task-message";
import type { TaskRequestContext } from "./task-context";

/** The request as the task sees it: headers + embed + where it came from + who runs it. */
export function requestContext(parsed: TaskRequest, delivery: Delivery, hostname: string): TaskRequestContext {
  return {
    id: parsed.id,
    task: parsed.task,
    args: parsed.args,
    kwargs: parsed.kwargs,
    retries: parsed.retries,
    root_id: parsed.root_id ?? parsed.id,
    parent_id: parsed.parent_id,
    group: parsed.group,
    group_index: parsed.group_index,
    eta: parsed.eta,
    expires: parsed.expires,
    hostname,
    correlation_id: parsed.correlation_id ?? parsed.id,
    reply_to: parsed.reply_to,
    origin: parsed.origin,
    delivery_info: { exchange: delivery.exchange, routing_key: delivery.routingKey, priority: parsed.priority, redelivered: delivery.redelivered },
    timelimit: parsed.timelimit,
    callbacks: parsed.embed.callbacks,
    errbacks: parsed.embed.errbacks,
    chain: parsed.embed.chain,
    chord: parsed.embed.chord,
  };
}
