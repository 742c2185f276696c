"""The peer app (peer.py) plus a CPU-bound task, for bench/cpu-tasks.ts: `celery -A spin_peer worker`."""
import time

from peer import *  # noqa: F401,F403
from peer import app


@app.task(name="seedflow.spin")
def spin(ms):
    """Holds the CPU for `ms` milliseconds, as a CPU-bound task does."""
    until = time.perf_counter() + ms / 1000
    turns = 0
    while time.perf_counter() < until:
        turns += 1
    return turns > 0
