"""Celeriac workflow capture for Python Celery apps.

Celery's events carry only ``root_id``/``parent_id`` and truncated argument reprs; the task message
itself is the one place a workflow's full plan lives (the chain remainder, the chord body, group
ids and indexes, callbacks and errbacks, the real JSON arguments). This module publishes a copy of
every task message the app sends, as a *capture record*, to a dedicated queue on the app's own
broker, where Celeriac's capture consumer (src/server/ingest/capture-consumer.ts) reads it.

Usage (one line in the module that creates the app, so workers capture the steps they send too)::

    import celeriac_capture
    celeriac_capture.install(app)                       # queue "celeriac.capture"
    celeriac_capture.install(app, queue_name="x.capture", max_length=50_000, trim_every=100)

Capture record, version 1 (JSON, the body of a JSON message on the capture queue)::

    {"celeriac_capture": 1, "sent_at": <epoch seconds>, "hostname": <producer host>,
     "exchange": <exchange name, "" = default>, "routing_key": <routing key>,
     "queue": <queue name or null>, "headers": {...task headers...},
     "properties": {...task properties...}, "body": [args, kwargs, embed]}

The queue is durable and bounded by ``max_length``, so that an outage of Celeriac never fills the
broker: on RabbitMQ by ``x-max-length`` (oldest records dropped first; every declarer must use the
same value or RabbitMQ refuses the declaration). On Redis a kombu queue is a plain list with no
bound, so every ``trim_every`` records this module trims it to the newest ``max_length`` (LTRIM):
the list may exceed the bound by fewer than ``trim_every`` records between trims. Capturing never
raises into the app's publish: a record that cannot be published is logged and counted (see
``stats()``).

Needs nothing beyond Celery (and kombu, which Celery brings).
"""
import logging
import socket
import threading
import time

from celery import signals
from kombu import Exchange, Queue

__all__ = ["install", "uninstall", "stats", "RECORD_VERSION", "DEFAULT_QUEUE", "DEFAULT_MAX_LENGTH",
           "DEFAULT_TRIM_EVERY"]

RECORD_VERSION = 1
DEFAULT_QUEUE = "celeriac.capture"
DEFAULT_MAX_LENGTH = 100_000
DEFAULT_TRIM_EVERY = 100

logger = logging.getLogger("celeriac_capture")


class _Capture:
    """Stashes each message in before_task_publish (the only signal with its properties) and
    publishes its record in after_task_publish, so only messages that were really sent are
    recorded."""

    def __init__(self, app, queue_name, max_length, acquire_timeout, trim_every):
        self.app = app
        self.max_length = max_length
        self.trim_every = trim_every
        self.queue = Queue(
            queue_name,
            # The same topology Celeriac declares: a durable direct exchange of the queue's name.
            exchange=Exchange(queue_name, type="direct", durable=True),
            routing_key=queue_name,
            durable=True,
            queue_arguments={"x-max-length": max_length},
        )
        self.acquire_timeout = acquire_timeout
        self.hostname = socket.gethostname()
        self.local = threading.local()
        self.lock = threading.Lock()
        self.published = 0
        self.failed = 0

    @staticmethod
    def _task_id(headers, body):
        task_id = (headers or {}).get("id")
        if task_id is None and isinstance(body, dict):  # protocol 1: the id is in the body
            task_id = body.get("id")
        return task_id

    def before_publish(self, sender=None, body=None, exchange=None, routing_key=None,
                       headers=None, properties=None, declare=None, **kwargs):
        try:
            queue = None
            for entity in declare or ():
                if isinstance(entity, Queue):
                    queue = entity.name
                    break
            # A publish is synchronous within its thread: one slot per thread is enough, and a
            # publish that raised leaves nothing behind but a slot the next one overwrites.
            self.local.pending = (self._task_id(headers, body), {
                "celeriac_capture": RECORD_VERSION,
                "sent_at": None,
                "hostname": self.hostname,
                "exchange": getattr(exchange, "name", exchange) or "",
                "routing_key": routing_key or "",
                "queue": queue,
                "headers": dict(headers or {}),
                "properties": dict(properties or {}),
                # Protocol 2's (args, kwargs, embed) tuple becomes the JSON triple.
                "body": list(body) if isinstance(body, tuple) else body,
            })
        except Exception:  # never break the user's publish
            self._count_failure("could not read the message being published")

    def after_publish(self, sender=None, body=None, headers=None, **kwargs):
        task_id, record = getattr(self.local, "pending", (None, None))
        self.local.pending = (None, None)
        if record is None or task_id != self._task_id(headers, body):
            return
        record["sent_at"] = time.time()
        try:
            with self.app.producer_pool.acquire(block=True, timeout=self.acquire_timeout) as producer:
                producer.publish(
                    record,
                    exchange="",
                    routing_key=self.queue.name,
                    serializer="json",
                    declare=[self.queue],
                    delivery_mode=2,
                    retry=False,
                )
                with self.lock:
                    self.published += 1
                    due = self.published % self.trim_every == 0
                if due:
                    self._trim(producer)
        except Exception:
            self._count_failure("could not publish the capture record of task %s" % record["headers"].get("id"))

    def _trim(self, producer):
        # Only kombu's Redis transport needs it (RabbitMQ enforces x-max-length itself). LPUSH adds
        # at the head and consumers pop the tail: keeping indexes 0..max_length-1 drops the oldest,
        # as RabbitMQ's drop-head does.
        if producer.connection.transport.driver_type != "redis":
            return
        try:
            producer.channel.client.ltrim(self.queue.name, 0, self.max_length - 1)
        except Exception:
            self._count_failure("could not trim the capture queue %s to %d records" % (self.queue.name, self.max_length))

    def _count_failure(self, what):
        with self.lock:
            self.failed += 1
        logger.warning("celeriac_capture: %s (failures so far: %d)", what, self.failed, exc_info=True)


_installed = None


def install(app, queue_name=DEFAULT_QUEUE, max_length=DEFAULT_MAX_LENGTH, acquire_timeout=1.0,
            trim_every=DEFAULT_TRIM_EVERY):
    """Captures every task message published in this process to ``queue_name`` on ``app``'s broker.

    Celery's publish signals are process-wide, so one installation captures all apps of the
    process; installing again replaces the previous installation.
    """
    global _installed
    uninstall()
    if not (isinstance(max_length, int) and max_length > 0 and isinstance(trim_every, int) and trim_every > 0):
        raise ValueError("celeriac_capture.install: max_length and trim_every must be positive integers, "
                         "got max_length=%r, trim_every=%r" % (max_length, trim_every))
    capture = _Capture(app, queue_name, max_length, acquire_timeout, trim_every)
    signals.before_task_publish.connect(capture.before_publish, weak=False)
    signals.after_task_publish.connect(capture.after_publish, weak=False)
    _installed = capture
    return capture


def uninstall():
    """Stops capturing (no-op when not installed)."""
    global _installed
    if _installed is not None:
        signals.before_task_publish.disconnect(_installed.before_publish)
        signals.after_task_publish.disconnect(_installed.after_publish)
        _installed = None


def stats():
    """``{"published": n, "failed": n}`` for the current installation."""
    if _installed is None:
        return {"published": 0, "failed": 0}
    with _installed.lock:
        return {"published": _installed.published, "failed": _installed.failed}
