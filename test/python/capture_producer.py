"""Sends the peer's login workflow (or a plain task) from a Python producer with celeriac_capture
installed, and prints what it sent as JSON: the capture integration test's Python side.

Environment: PEER_BROKER_URL / PEER_RESULT_BACKEND / PEER_QUEUE (see peer.py), CAPTURE_QUEUE (default <PEER_QUEUE>.capture), and
CAPTURE_WHAT = "login" (default), "add" (two plain tasks) or "many:N" (N plain tasks; second_id is the
last), CAPTURE_MAX_LENGTH and CAPTURE_TRIM_EVERY (default the module's).
"""
import json
import os

import celeriac_capture
import peer

celeriac_capture.install(
    peer.app,
    queue_name=os.environ.get("CAPTURE_QUEUE", os.environ["PEER_QUEUE"] + ".capture"),
    max_length=int(os.environ.get("CAPTURE_MAX_LENGTH", celeriac_capture.DEFAULT_MAX_LENGTH)),
    trim_every=int(os.environ.get("CAPTURE_TRIM_EVERY", celeriac_capture.DEFAULT_TRIM_EVERY)),
)
what = os.environ.get("CAPTURE_WHAT", "login")
if what == "login":
    result = peer.login_workflow().apply_async()
    first = result
    while first.parent is not None:
        first = first.parent
    sent = {"root_id": first.id, "final_id": result.id}
elif what.startswith("many:"):
    ids = [peer.add.delay(i, 1).id for i in range(int(what[len("many:"):]))]
    sent = {"root_id": ids[0], "second_id": ids[-1]}
else:
    sent = {"root_id": peer.add.delay(2, 3).id, "second_id": peer.add.delay(4, 5).id}
print(json.dumps({**sent, **celeriac_capture.stats()}))
