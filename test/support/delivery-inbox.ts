// Deliveries a test consumer received, handed out one at a time as the test asks for them.

import type { Delivery } from "../../src/celery/index";

/** `push` is the consumer's onDelivery; `next()` resolves with the oldest delivery not yet taken. */
export function deliveryInbox(): { push: (delivery: Delivery) => void; next: () => Promise<Delivery> } {
  const waiting: Delivery[] = [];
  let wake: (() => void) | null = null;
  return {
    push: (delivery) => {
      waiting.push(delivery);
      wake?.();
    },
    next: async () => {
      while (waiting.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return waiting.shift()!;
    },
  };
}
