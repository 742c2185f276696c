"""The Python Celery peer for interop tests (run with Debian's /usr/bin/python3 and python3-celery).

Mirrors ../shared/celery-reference/seedflow.py: the seed talk's login workflow plus small tasks.
Broker, backend and queue come from the environment so each test run is isolated.
"""
import os
import time

from celery import Celery, chain, group

app = Celery(
    "peer",
    broker=os.environ.get("PEER_BROKER_URL", "redis://127.0.0.1:6379/0"),
    backend=os.environ.get("PEER_RESULT_BACKEND", "redis://127.0.0.1:6379/0"),
)
app.conf.update(
    task_default_queue=os.environ.get("PEER_QUEUE", "celery"),
    task_send_sent_event=True,
    worker_send_task_events=True,
    task_track_started=True,
    result_extended=True,
    accept_content=["json"],
    task_serializer="json",
    result_serializer="json",
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)


@app.task(name="seedflow.check_device")
def check_device(user_id, device):
    return {"user_id": user_id, "device": device, "new": True}


@app.task(name="seedflow.notify_user")
def notify_user(info):
    return {"notified": info["user_id"]}


@app.task(name="seedflow.save_event")
def save_event(info):
    return {"saved": info["device"]}


class ApiUnavailableError(Exception):
    """The third-party API of the login workflow is down (see PEER_API_SWITCH)."""


@app.task(name="seedflow.post_to_api")
def post_to_api(results):
    # With PEER_API_SWITCH set, the API is down until that key exists in the result backend's
    # Redis: the dashboard's end-to-end test "fixes the cause" by setting it, then retries.
    switch = os.environ.get("PEER_API_SWITCH")
    if switch and not app.backend.get(switch):
        raise ApiUnavailableError("third-party API answered 503 Service Unavailable")
    return {"score": len(results)}


@app.task(name="seedflow.post_process")
def post_process(response):
    return {"done": True, **response}


@app.task(name="seedflow.add")
def add(x, y):
    return x + y


@app.task(name="seedflow.tsum")
def tsum(values):
    return sum(values)


@app.task(name="seedflow.fail")
def fail(msg="boom"):
    raise ValueError(msg)


@app.task(name="seedflow.echo")
def echo(*args, **kwargs):
    """Returns exactly what it received, to check argument encoding end to end."""
    return {"args": list(args), "kwargs": kwargs}


@app.task(name="seedflow.on_error")
def on_error(request, exc, traceback):
    """New-style errback: runs in the failing worker; records what it saw in the backend."""
    app.backend.set("errback-seen-%s" % request.id, repr(exc))


def login_workflow(user_id="u1", device="pixel-9"):
    return chain(
        check_device.s(user_id, device),
        group(notify_user.s(), save_event.s()),
        post_to_api.s(),
        post_process.s(),
    )


@app.task(name="seedflow.noop")
def noop():
    """Does nothing: the worker throughput benchmark (bench/worker.ts) drains these."""
    return None


@app.task(bind=True, name="seedflow.retry_then_succeed", max_retries=5)
def retry_then_succeed(self, times=2):
    """Retries itself `times` times (countdown 0.1 s), then returns how often it retried: RETRY → SUCCESS."""
    if self.request.retries < times:
        raise self.retry(countdown=0.1)
    return self.request.retries


@app.task(name="seedflow.sleeper")
def sleeper(seconds=30):
    """Long enough to show up in `inspect active` and be revoked with terminate=True."""
    time.sleep(seconds)
    return seconds


@app.task(name="seedflow.wait_for_key")
def wait_for_key(key, timeout=60):
    """Runs until `key` exists in the result backend's Redis (at most `timeout` seconds), then returns 1:
    a running step that a test ends when it chooses, instead of after a fixed time."""
    deadline = time.monotonic() + timeout
    while not app.backend.get(key) and time.monotonic() < deadline:
        time.sleep(0.05)
    return 1
