"""The peer app (peer.py) with celeriac_capture installed, so a worker captures the chain, chord
and callback messages it sends: `celery -A capture_peer worker` (CAPTURE_QUEUE names the queue, default <PEER_QUEUE>.capture)."""
import os
import sys

# The shared worker launcher puts only test/python on PYTHONPATH; the capture module lives in python/.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))

import celeriac_capture  # noqa: E402
from peer import *  # noqa: E402,F401,F403
from peer import app  # noqa: E402

celeriac_capture.install(app, queue_name=os.environ.get("CAPTURE_QUEUE", os.environ["PEER_QUEUE"] + ".capture"))
