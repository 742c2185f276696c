// A consumer process for redis-reserve.test.ts: takes deliveries with a prefetch limit, never acks, prints how many it holds, and waits to be killed.

import { RedisBroker } from "../../../src/celery/index";

const [url, prefix, queue, prefetch] = process.argv.slice(2) as [string, string, string, string];
const broker = new RedisBroker(url, { globalKeyprefix: prefix, visibilityTimeout: 1, unackedRestoreInterval: 3600 });
let held = 0;
await broker.consume([{ name: queue }], () => {
  held += 1;
  if (held === Number(prefetch)) console.log(`holding ${held}`);
}, { prefetch: Number(prefetch) });
setInterval(() => undefined, 1000);
