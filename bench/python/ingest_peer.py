"""The ingest benchmark's peer: Python Celery's own celery.events.state.State fed by app.events.Receiver
(Flower's core) consuming the same event stream as our ingestor.

Usage: /usr/bin/python3 bench/python/ingest_peer.py <broker-url> <expected-events> <timeout-s> <live|prefill> <event-exchange>
live (Redis pub/sub): subscribes, prints "ready" and consumes. prefill (RabbitMQ): declares its event
queue, prints "ready" and waits for a line on stdin before consuming, so that the queue fills first.
Consumes until <expected-events> events were applied to State (or <timeout-s> without one). Prints:
{"events": n, "seconds": s (first to last event), "rate": n/s, "cpu_us_per_event": c, "maxrss_mb": m}.
"""
import json
import os
import resource
import socket
import sys
import time

from celery import Celery
from celery.events.state import State

broker_url, expected, timeout, mode, exchange = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
app = Celery("ingest_peer", broker=broker_url)
# A queue that fills before we consume must not expire its messages (Celery's default TTL is 5 s).
app.conf.update(event_queue_ttl=3600.0, event_queue_expires=3600.0, event_exchange=exchange, accept_content=["json"])

state = State()
count = 0
first = last = None
cpu_first = cpu_last = 0.0


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def on_event(event):
    global count, first, last, cpu_first, cpu_last
    now = time.perf_counter()
    if first is None:
        first, cpu_first = now, cpu()
    state.event(event)
    count += 1
    last = now
    if count >= expected:
        cpu_last = cpu()
        receiver.should_stop = True


with app.connection() as conn:
    receiver = app.events.Receiver(conn, handlers={"*": on_event}, node_id="bench-%d" % os.getpid())
    if mode == "prefill":
        receiver.queue(conn.default_channel).declare()
        print("ready", flush=True)
        sys.stdin.readline()
    else:
        # Redis subscribes when consuming starts: say so from ConsumerMixin's hook.
        receiver.on_consume_ready = lambda *args, **kwargs: print("ready", flush=True)
    try:
        receiver.capture(limit=None, timeout=timeout, wakeup=False)
    except socket.timeout:
        pass

seconds = (last - first) if first is not None and last > first else 0.0
print(json.dumps({
    "events": count,
    "seconds": seconds,
    "rate": count / seconds if seconds else 0.0,
    "cpu_us_per_event": ((cpu_last or cpu()) - cpu_first) * 1e6 / count if count else 0.0,
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}), flush=True)
