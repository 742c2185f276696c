"""Keeps a Python Celery cluster busy with the demo workflows, with celeriac_capture installed:
the seed talk's login workflow, a chord, a failing task with an errback, and a retrying task.

docker-compose.yml runs it against the compose cluster; tests run it with --rounds.

    python3 demo_producer.py [--rounds N] [--interval SECONDS]

Environment as peer.py (PEER_BROKER_URL, PEER_RESULT_BACKEND, PEER_QUEUE) and CAPTURE_QUEUE
(default "celeriac.capture"). Prints one JSON line per round with the ids it sent.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))

import celeriac_capture  # noqa: E402
import peer  # noqa: E402
from celery import chord  # noqa: E402


def one_round(number):
    login = peer.login_workflow("u%d" % (number % 7 + 1), "pixel-%d" % number).apply_async()
    sums = chord([peer.add.s(i, number) for i in range(3)], peer.tsum.s()).apply_async()
    failing = peer.fail.apply_async(("demo failure %d" % number,), link_error=peer.on_error.s())
    retrying = peer.retry_then_succeed.delay(2)
    return {"round": number, "login": login.id, "chord": sums.id, "fail": failing.id, "retry": retrying.id}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=0, help="stop after this many rounds (0 = run until stopped)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between rounds")
    options = parser.parse_args()
    celeriac_capture.install(peer.app, queue_name=os.environ.get("CAPTURE_QUEUE", celeriac_capture.DEFAULT_QUEUE))
    number = 0
    while options.rounds == 0 or number < options.rounds:
        print(json.dumps(one_round(number)), flush=True)
        number += 1
        if options.rounds == 0 or number < options.rounds:
            time.sleep(options.interval)


if __name__ == "__main__":
    main()
