"""Python Celery's publish rate: N x send_task of one task on one broker, single process.

Usage: /usr/bin/python3 bench/python/publish.py <broker-url> <queue> <count> [--confirm]
--confirm turns on RabbitMQ publisher confirms (broker_transport_options confirm_publish), so each
send_task waits for the broker's confirm as Celeriac's default does.
Prints one JSON line: {"count": N, "seconds": s, "rate": N/s}.
"""
import json
import sys
import time

from celery import Celery

broker_url, queue, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
confirm = "--confirm" in sys.argv[4:]
app = Celery("bench", broker=broker_url)
app.conf.update(task_default_queue=queue, task_serializer="json", accept_content=["json"])
if confirm:
    app.conf.broker_transport_options = {"confirm_publish": True}

# Warm-up: connection, queue declaration and the producer pool, as our side does.
for _ in range(50):
    app.send_task("seedflow.add", (1, 2))

start = time.perf_counter()
for i in range(count):
    app.send_task("seedflow.add", (i, i))
seconds = time.perf_counter() - start
print(json.dumps({"count": count, "seconds": seconds, "rate": count / seconds}))
